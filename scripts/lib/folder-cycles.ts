import fs from 'node:fs';
import path from 'node:path';

/** An import from one folder of src/ to another: `from` imports `to` in `files`. */
export interface FolderEdge {
  from: string;
  to: string;
  files: string[];
}

/**
 * Edges that may still close a cycle, each with why it is still there. Only the edge named is
 * lifted; any other edge that closes a cycle fails the check, and so does an entry here whose
 * edge no longer exists (remove it: the cycle is gone).
 */
export const KNOWN_BACK_EDGES: ReadonlyArray<readonly [from: string, to: string, why: string]> = [
  ['storage', 'conversation', "the conversation store persists ConversationState, the engine's own type"],
  ['http', 'channels', "the HTTP server mounts the web simulator's routes, which belong in channels/web/"],
  ['http', 'dashboard', "the HTTP server mounts the dashboard's routes, which use http/'s request helpers"],
  ['config.ts', 'http', 'the configuration checks the listening host with http/loopback.ts'],
];

// Relative module paths in `import … from`, `export … from`, `import '…'`, `import('…')`.
const IMPORT_PATTERNS = [/\bfrom\s+'(\.[^']*)'/g, /^\s*import\s+'(\.[^']*)'/gm, /\bimport\(\s*'(\.[^']*)'\s*\)/g];

/** A file's node: its top folder under src/, or the file's own name for a file directly in src/. */
function nodeOf(srcDir: string, file: string): string {
  const [first, ...rest] = path.relative(srcDir, file).split(path.sep);
  return rest.length > 0 ? (first ?? '') : path.basename(file).replace(/\.ts$/, '') + '.ts';
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/**
 * Every import between folders of `srcDir` (type-only imports too: a type shared both ways is
 * a layering question all the same).
 * @example folderEdges('src').find((e) => e.from === 'staff' && e.to === 'supervisor')
 */
export function folderEdges(srcDir: string): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const file of tsFiles(srcDir)) {
    const text = fs.readFileSync(file, 'utf8');
    const from = nodeOf(srcDir, file);
    for (const pattern of IMPORT_PATTERNS) {
      for (const m of text.matchAll(pattern)) {
        const target = path.resolve(path.dirname(file), m[1] ?? '');
        if (path.relative(srcDir, target).startsWith('..')) continue;
        const to = nodeOf(srcDir, `${target}.ts`);
        if (to === from) continue;
        const key = `${from}\0${to}`;
        const edge = edges.get(key) ?? { from, to, files: [] };
        const rel = path.relative(path.dirname(srcDir), file);
        if (!edge.files.includes(rel)) edge.files.push(rel);
        edges.set(key, edge);
      }
    }
  }
  return [...edges.values()];
}

/** Groups of two or more nodes that import each other round a cycle (Tarjan's strongly connected components). */
export function cycles(edges: readonly Pick<FolderEdge, 'from' | 'to'>[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of new Set(edges.flatMap((e) => [e.from, e.to]))) if (!index.has(v)) visit(v);
  return found;
}

/**
 * What is wrong with the folder graph: each cycle left once the known back edges are lifted
 * (with the files behind its edges), and each known back edge that no longer exists.
 * @example checkFolderCycles(folderEdges('src')) // [] when the folders form no new cycle
 */
export function checkFolderCycles(
  edges: readonly FolderEdge[],
  known: ReadonlyArray<readonly [string, string, string]> = KNOWN_BACK_EDGES,
): string[] {
  const isKnown = (e: Pick<FolderEdge, 'from' | 'to'>) => known.some(([from, to]) => e.from === from && e.to === to);
  const problems = cycles(edges.filter((e) => !isKnown(e))).map((group) => {
    const inside = edges.filter((e) => !isKnown(e) && group.includes(e.from) && group.includes(e.to));
    return `cycle between ${group.join(', ')}:\n${inside.map((e) => `  ${e.from} → ${e.to} (${e.files.join(', ')})`).join('\n')}`;
  });
  for (const [from, to] of known)
    if (!edges.some((e) => e.from === from && e.to === to))
      problems.push(`known back edge ${from} → ${to} is gone: remove it from KNOWN_BACK_EDGES`);
  return problems;
}
