import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { FlowDefinitionError } from '../errors';
import { categoriesFileSchema, districtFileSchema, type Catalog } from './catalog';

/** Read one YAML file and validate it, naming the file and field that failed. */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new FlowDefinitionError(`${path.basename(file)}: cannot read YAML`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FlowDefinitionError(
      `${path.basename(file)}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Category profiles: the source document's five categories (default), or today's set. */
export const CATEGORY_PROFILES = ['source', 'current'] as const;
export type CategoryProfile = (typeof CATEGORY_PROFILES)[number];

/**
 * The file of a category profile: `categories.yaml` for the default profile,
 * `categories-current.yaml` for `current` (likewise departments and escalation).
 */
export function profileFile(
  flowsDir: string,
  base: 'categories' | 'departments' | 'escalation',
  profile: CategoryProfile = 'source',
): string {
  return path.join(flowsDir, profile === 'source' ? `${base}.yaml` : `${base}-${profile}.yaml`);
}

/**
 * Load the profile's categories and district.yaml from the flows folder and
 * check that ids are unique.
 * @example loadCatalog('flows', 'current').categories.map((c) => c.id) // ['water', 'electricity', …]
 */
export function loadCatalog(flowsDir: string, profile: CategoryProfile = 'source'): Catalog {
  const file = profileFile(flowsDir, 'categories', profile);
  const { categories } = readYamlFile(file, categoriesFileSchema);
  const district = readYamlFile(path.join(flowsDir, 'district.yaml'), districtFileSchema);
  assertUnique(
    path.basename(file),
    categories.map((c) => c.id),
  );
  assertUnique(
    'district.yaml',
    district.blocks.map((b) => b.id),
  );
  return { categories, district };
}

function assertUnique(file: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new FlowDefinitionError(`${file}: duplicate id ${id}`);
    seen.add(id);
  }
}
