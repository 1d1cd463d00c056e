import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get_encoding } from 'tiktoken';
import { directoryTree, framedFile, renderExport, treeBlock } from '../../../src/core/export/promptExport';

const files = [
  { relativePath: 'src/a.ts', text: 'export const a = 1;\n' },
  { relativePath: 'src/<img src=x onerror=alert(1)>.md', text: 'no trailing newline' },
  { relativePath: 'README.md', text: 'Use ```js fences``` inside.\n```\nblock\n```\n' },
];

test('XML: each file in order inside a tag whose path attribute is escaped; framing is everything else', () => {
  const { text, framing } = renderExport(files, { format: 'xml', directoryTree: false });
  assert.equal(
    text,
    [
      '<file path="src/a.ts">\nexport const a = 1;\n</file>\n\n',
      '<file path="src/&lt;img src=x onerror=alert(1)&gt;.md">\nno trailing newline\n</file>\n\n',
      '<file path="README.md">\nUse ```js fences``` inside.\n```\nblock\n```\n</file>\n\n',
    ].join(''),
  );
  let rest = text;
  for (const file of files) rest = rest.replace(file.text, '');
  assert.equal(framing, rest);
});

test('Markdown: a fence longer than any backtick run in the file, a language from the extension', () => {
  const { text } = renderExport(files, { format: 'markdown', directoryTree: false });
  assert.match(text, /^## src\/a\.ts\n\n```ts\nexport const a = 1;\n```\n\n/);
  assert.ok(text.includes('## README.md\n\n````md\nUse ```js fences``` inside.\n```\nblock\n```\n````\n\n'));
  const newline = renderExport([{ relativePath: 'a\nb.md', text: 'x' }], { format: 'markdown', directoryTree: false }).text;
  assert.ok(newline.startsWith('## a\\nb.md\n'), 'a newline in a name cannot start a new heading');
});

test('directory tree: folders first, sorted, indented; counted as framing', () => {
  assert.equal(
    directoryTree(['src/b.ts', 'src/core/a.ts', 'README.md', 'src/a.ts']),
    'src/\n  core/\n    a.ts\n  a.ts\n  b.ts\nREADME.md\n',
  );
  const { framing } = renderExport(files, { format: 'xml', directoryTree: true });
  assert.ok(framing.startsWith('<directory_tree>\nsrc/\n'));
});

test('framing tokens = tokens of the whole export − tokens of the files (o200k oracle)', () => {
  const encoding = get_encoding('o200k_base');
  const count = (value: string): number => encoding.encode_ordinary(value).length;
  const { text } = renderExport(files, { format: 'xml', directoryTree: true });
  const content = files.reduce((sum, file) => sum + count(file.text), 0);
  const framingTokens = count(text) - content;
  assert.ok(framingTokens > 20 && framingTokens < 120, `${framingTokens}`);
  encoding.free();
});

test("an export's tokens are exactly the sum of its pieces (tree + each framed file), so the budget can count files one by one (fuzz, both encodings, both formats)", () => {
  const alphabet = [
    'a',
    'Z',
    '7',
    ' ',
    '  ',
    '\n',
    '\n\n',
    '\r\n',
    '\t',
    '/',
    '//',
    '<',
    '>',
    '`',
    '```',
    '#',
    '}',
    ';',
    '"',
    "'",
    '中文',
    '😀',
    '\u00a0',
    '\u2028',
    '-->',
    '</file>',
    'x.y',
    "'s",
  ];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    const encoding = get_encoding(name);
    const count = (value: string): number => encoding.encode_ordinary(value).length;
    for (let round = 0; round < 150; round++) {
      const files = Array.from({ length: 1 + random(4) }, (_, i) => ({
        relativePath: `dir${random(3)}/f${i}${random(2) ? '.ts' : '.md'}`,
        text: Array.from({ length: random(30) }, () => alphabet[random(alphabet.length)]).join(''),
      }));
      for (const format of ['xml', 'markdown'] as const) {
        const whole = renderExport(files, { format, directoryTree: true }).text;
        const pieces =
          count(
            treeBlock(
              files.map((file) => file.relativePath),
              format,
            ),
          ) + files.reduce((sum, file) => sum + count(framedFile(file.relativePath, file.text, format).text), 0);
        assert.equal(count(whole), pieces, `${name} ${format} ${JSON.stringify(files)}`);
      }
    }
    encoding.free();
  }
});
