import { z } from 'zod';

/**
 * Words that suggest a category, with a weight; `words` lists several of the
 * same weight on one line (spellings, synonyms), read as one `word` each.
 */
const keywordGroup = z
  .object({
    word: z.string().min(1).optional(),
    words: z.array(z.string().min(1)).optional(),
    weight: z.number().positive().default(1),
    /** Words that, just before this one, give it another sense (के पास: near). */
    notAfter: z.array(z.string()).default([]),
    /** Words that, just after this one, give it another sense (पास में: nearby). */
    notBefore: z.array(z.string()).default([]),
    /** Only the word itself (spelling folded), not longer words or near misses: दस्त is not दस्तखत, master is not muster. */
    whole: z.boolean().default(false),
  })
  .refine((k) => (k.word === undefined) !== (k.words === undefined), { message: 'give either word or words' })
  .transform(({ word, words, ...rest }) => (words ?? [word as string]).map((w) => ({ word: w, ...rest })));

export const categorySchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  label: z.string().min(1),
  department: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  sla: z.object({
    acknowledgeHours: z.number().positive(),
    resolveHours: z.number().positive(),
  }),
  aliases: z.array(z.string()).default([]),
  keywords: z
    .array(keywordGroup)
    .default([])
    .transform((groups) => groups.flat()),
  /** Offer a live talk with the on-duty health counsellor when this category is chosen. */
  counsellor: z.boolean().default(false),
});

export const categoriesFileSchema = z.object({
  version: z.number().int().positive(),
  categories: z.array(categorySchema).min(1),
});

export const blockSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  label: z.string().min(1),
  aliases: z.array(z.string()).default([]),
});

export const districtFileSchema = z.object({
  version: z.number().int().positive(),
  id: z.string().min(1),
  name: z.string().min(1),
  blocks: z.array(blockSchema).min(1),
});

/** A complaint category: what the citizen picks, who handles it, how fast. */
export type Category = z.infer<typeof categorySchema>;
/** A block (development block) of the district. */
export type Block = z.infer<typeof blockSchema>;
export type District = z.infer<typeof districtFileSchema>;

/** Everything the intake needs to know about the district, loaded once. */
export interface Catalog {
  categories: Category[];
  district: District;
}

/** Find a category by id, or undefined. */
export function findCategory(catalog: Catalog, id: string | undefined): Category | undefined {
  return catalog.categories.find((c) => c.id === id);
}

/** Find a block by id, or undefined. */
export function findBlock(catalog: Catalog, id: string | undefined): Block | undefined {
  return catalog.district.blocks.find((b) => b.id === id);
}
