import { z } from 'zod';
import { readYamlFile } from '../domain/catalog-loader';
import { ROSTER_ROLES, type RosterRole } from './shift-plan';

const people = z.array(z.union([z.string().min(1), z.number().int()]).transform(String));

const rosterFileSchema = z.object({
  version: z.number().int().positive(),
  roster: z.record(
    z.string(),
    z.object({ supervisor: people.optional(), operator: people.optional(), counsellor: people.optional() }).strict(),
  ),
});

/** One line of a roster file: these people on this role of this shift. */
export interface RosterFileEntry {
  shift: string;
  role: RosterRole;
  people: string[];
}

/**
 * Read a roster file. Roles a shift does not mention stay as they are; an
 * empty list (`operator: []`) clears the role. People are staff ids (as
 * /staff shows them) or chat ids.
 * @example
 * # roster.yaml
 * version: 1
 * roster:
 *   morning: { supervisor: [K7Q2MA], operator: [P3XR9T, 9187654321], counsellor: [H4N8WE] }
 *   night: { operator: [] }
 */
export function readRosterFile(file: string): RosterFileEntry[] {
  const { roster } = readYamlFile(file, rosterFileSchema);
  const entries: RosterFileEntry[] = [];
  for (const [shift, roles] of Object.entries(roster)) {
    for (const role of ROSTER_ROLES) {
      const list = roles[role];
      if (list) entries.push({ shift, role, people: list });
    }
  }
  return entries;
}
