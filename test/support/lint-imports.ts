import { execFileSync } from 'node:child_process';
import path from 'node:path';

// ESLint loads its .mjs config by dynamic import, which Jest's VM cannot do: one node process
// lints every queued case of a test file at once.
const ROOT = path.resolve(__dirname, '../..');
const LINT_ALL = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of cases) {
    const [r] = await eslint.lintText(code, { filePath: require('path').join(process.cwd(), file) });
    out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

/**
 * The layering rule of eslint.config.mjs, driven with code: queue cases at
 * collection time with `restricted(file, code)`, which returns a getter of
 * that case's restricted-import messages; a `beforeAll` lints them all in one
 * node process. Call it once per test file.
 * @example const restricted = lintImportsOnce(); const c = restricted('src/domain/x.ts', "import '../storage/models';"); … expect(c()).toHaveLength(1)
 */
export function lintImportsOnce(): (file: string, code: string) => () => string[] {
  const queued: Array<[string, string]> = [];
  let answers: string[][] = [];
  beforeAll(() => {
    answers = JSON.parse(
      execFileSync(process.execPath, ['-e', LINT_ALL], { cwd: ROOT, input: JSON.stringify(queued), encoding: 'utf8' }),
    ) as string[][];
  });
  return (file, code) => {
    const i = queued.push([file, code]) - 1;
    return () => answers[i] as string[];
  };
}
