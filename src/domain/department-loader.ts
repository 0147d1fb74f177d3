import path from 'node:path';
import { z } from 'zod';
import { readYamlFile } from './catalog-loader';
import { departmentSchema, type Department } from './department';
import { FlowDefinitionError } from '../errors';

const fileSchema = z.object({ version: z.number().int().positive(), departments: z.array(departmentSchema).min(1) });

/** Read and validate a departments YAML file (default flows/departments.yaml). */
export function readDepartmentsFile(file: string): Department[] {
  const { departments } = readYamlFile(file, fileSchema);
  const codes = new Set<string>();
  for (const d of departments) {
    if (codes.has(d.code)) throw new FlowDefinitionError(`${path.basename(file)}: duplicate department ${d.code}`);
    codes.add(d.code);
  }
  return departments;
}
