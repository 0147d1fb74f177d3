import path from 'node:path';
import { checkFolderCycles, folderEdges } from './lib/folder-cycles';

// `npm run lint` runs this after ESLint: the folders of src/ may not import each other round a
// cycle (README "Architecture"); the few known back edges are listed in lib/folder-cycles.ts.
const problems = checkFolderCycles(folderEdges(path.resolve(__dirname, '../src')));
for (const p of problems) console.error(p);
if (problems.length > 0) {
  console.error(`${problems.length} import cycle problem(s) between folders of src/`);
  process.exit(1);
}
