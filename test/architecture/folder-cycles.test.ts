import path from 'node:path';
import { checkFolderCycles, cycles, folderEdges, KNOWN_BACK_EDGES } from '../../scripts/lib/folder-cycles';

// The folders of src/ form no import cycle beyond the few known back edges (README
// "Architecture"); `npm run lint` runs the same check (scripts/check-folder-cycles.ts).
const SRC = path.resolve(__dirname, '../../src');

describe('import cycles between folders', () => {
  const edges = folderEdges(SRC);

  it('finds none in src/ beyond the known back edges, each of which still exists', () => {
    expect(checkFolderCycles(edges)).toEqual([]);
  });

  it('sees the imports that once made cycles go one way only now', () => {
    const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    // staff/ and supervisor/ imported each other; shifts/ and supervisor/ too; tickets/ wired the services above it.
    expect([has('staff', 'supervisor'), has('supervisor', 'staff')]).toEqual([false, false]);
    expect(has('supervisor', 'shifts')).toBe(false);
    expect(['escalation', 'feedback', 'shifts', 'supervisor', 'reports'].filter((f) => has('tickets', f))).toEqual([]);
    expect([has('escalation', 'conversation'), has('storage', 'notify'), has('tickets', 'conversation')]).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('would fail on a new back edge, naming the files behind it, and on a known edge that is gone', () => {
    const made = [
      ...edges,
      { from: 'tickets', to: 'staff', files: ['src/tickets/new-part.ts'] },
      { from: 'staff', to: 'tickets', files: ['src/staff/officer-module.ts'] },
    ];
    const problems = checkFolderCycles(made);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('tickets → staff (src/tickets/new-part.ts)');
    expect(checkFolderCycles(edges, [...KNOWN_BACK_EDGES, ['core', 'app.ts', 'test']])).toEqual([
      'known back edge core → app.ts is gone: remove it from KNOWN_BACK_EDGES',
    ]);
    expect(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });
});
