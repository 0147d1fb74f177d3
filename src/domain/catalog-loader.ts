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
    throw new FlowDefinitionError(`${path.basename(file)}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Load categories.yaml and district.yaml from the flows folder and check that
 * ids are unique.
 */
export function loadCatalog(flowsDir: string): Catalog {
  const { categories } = readYamlFile(path.join(flowsDir, 'categories.yaml'), categoriesFileSchema);
  const district = readYamlFile(path.join(flowsDir, 'district.yaml'), districtFileSchema);
  assertUnique('categories.yaml', categories.map((c) => c.id));
  assertUnique('district.yaml', district.blocks.map((b) => b.id));
  return { categories, district };
}

function assertUnique(file: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new FlowDefinitionError(`${file}: duplicate id ${id}`);
    seen.add(id);
  }
}
