import { z } from 'zod';

const inBothLanguages = z.object({ hi: z.string().min(1), en: z.string().min(1) });

export const departmentSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  name: inBothLanguages,
  categories: z.array(z.string()).default([]),
  /** Blocks this department covers; empty means the whole district. */
  blocks: z.array(z.string()).default([]),
  escalation: z
    .array(
      z.object({
        level: z.number().int().min(1).max(4),
        // Shown inside Hindi and English alerts alike, so in both languages;
        // a single string (an older file) serves both.
        title: z.union([
          inBothLanguages,
          z
            .string()
            .min(1)
            .transform((s) => ({ hi: s, en: s })),
        ]),
        telegramId: z.string().optional(),
      }),
    )
    .default([]),
});

/** A department that handles some categories of complaints, perhaps only in some blocks. */
export type Department = z.infer<typeof departmentSchema>;

/**
 * The department for a complaint: among those handling the category, one that
 * names the ticket's block wins over one covering the whole district. With
 * no match, the category's own default department (from categories.yaml).
 */
export function routeDepartment(
  departments: readonly Department[],
  ticket: { category: string; block?: string | undefined },
  fallback: string,
): string {
  const handling = departments.filter((d) => d.categories.includes(ticket.category));
  const local = ticket.block ? handling.find((d) => d.blocks.includes(ticket.block as string)) : undefined;
  if (local) return local.code;
  const districtWide = handling.find((d) => d.blocks.length === 0);
  return districtWide?.code ?? fallback;
}

/** An officer with their current load. */
export interface OfficerLoad {
  id: string;
  openTickets: number;
  joinedAt: Date;
}

/**
 * The officer to assign: fewest open tickets, then the longest-serving, then
 * by id, so that the choice is stable for equal loads.
 */
export function pickOfficer(officers: readonly OfficerLoad[]): string | undefined {
  return [...officers].sort(
    (a, b) => a.openTickets - b.openTickets || a.joinedAt.getTime() - b.joinedAt.getTime() || a.id.localeCompare(b.id),
  )[0]?.id;
}
