import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(__dirname, '../../src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every string, template and regular-expression literal in a file, with its line (comments are not literals). */
function literals(file: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) {
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText() });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('words in code', () => {
  // Hindi words the citizen reads live in locales/, and words typed by people
  // (command words, yes and no, language names, /end ticket) in the flow's
  // vocabulary in flows/: no Devanagari is written in a literal in src/.
  test('no literal in src/ holds a Devanagari word', () => {
    const offenders = tsFiles(SRC).flatMap((file) =>
      literals(file)
        .filter((l) => /[\u0900-\u0963\u0970-\u097F]/.test(l.text))
        .map((l) => `${path.relative(SRC, file)}:${l.line} ${l.text.slice(0, 60)}`),
    );
    expect(offenders).toEqual([]);
  });
});
