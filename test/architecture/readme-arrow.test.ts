import fs from 'node:fs';
import path from 'node:path';
import { lintImportsOnce } from '../support/lint-imports';

// The README's layering arrow says what the lint rule enforces: every folder named in it may
// import the folders to its right and none to its left (folders in one group may import
// each other). Each pair is linted both ways, so the arrow and the rule cannot drift apart.
const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const arrow = /enforced by the layering rule[\s\S]*?\*\*([^*]+)\*\*/.exec(readme)?.[1] ?? '';
const layers = arrow.split('→').map((group) =>
  group
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean),
);

const restricted = lintImportsOnce();
const importOf = (folder: string) => `import type { X } from '../${folder}/some-module';\nexport type P = X;\n`;
const pairs = layers.flatMap((upper, i) =>
  layers.slice(i + 1).flatMap((lower) =>
    upper.flatMap((u) =>
      lower.map((l) => ({
        u,
        l,
        down: restricted(`src/${u}/new-file.ts`, importOf(l)),
        up: restricted(`src/${l}/new-file.ts`, importOf(u)),
      })),
    ),
  ),
);

describe('the README layering arrow', () => {
  it('names the layers', () => {
    expect(layers.flat()).toEqual(
      expect.arrayContaining(['channels', 'staff', 'conversation', 'tickets', 'storage', 'domain', 'core']),
    );
  });

  it('says what the lint rule enforces: imports to the right pass, imports to the left fail', () => {
    const wrong = pairs.flatMap(({ u, l, down, up }) => [
      ...(down().length > 0 ? [`${u} → ${l} refused`] : []),
      ...(up().length === 0 ? [`${l} → ${u} allowed`] : []),
    ]);
    expect(wrong).toEqual([]);
  });
});
