// Globs (issue 15, items 1 and 9): matching is linear (no backtracking on `*a*a*…*b`), invalid
// globs are usage errors naming the flag, and the matcher keeps the old regex semantics exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlob, compileGlobs, GlobSyntaxError, maxGlobAlternatives } from '../../../src/core/scan/glob';
import { seededRandom } from '../tokenizer/oracleSupport';

/**
 * The previous implementation (a regex built from the glob), kept here as the reference for what
 * each glob means. One deliberate change: a class never matches `/` now (as in gitignore and
 * minimatch), hence the `(?!/)` before each class.
 */
function referenceRegExp(glob: string): RegExp {
  let source = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) {
        source += '\\[';
      } else {
        source += `(?!/)[${glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (char === '{') {
      braceDepth++;
      source += '(?:';
    } else if (char === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (char === ',' && braceDepth > 0) {
      source += '|';
    } else {
      source += char.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

describe('glob matching', () => {
  it('*a*a*…*b against 250- and 2,000-character names answers at once (the regex backtracked > 10 s)', { timeout: 20_000 }, () => {
    const glob = compileGlob(`${'*a'.repeat(30)}*b`);
    assert.equal(glob.test(`x${'a'.repeat(250)}`), false);
    assert.equal(glob.test(`${'a'.repeat(250)}b`), true);
    assert.equal(glob.test('a'.repeat(2000)), false);
    const deep = compileGlob(`${'**/a'.repeat(20)}/**/b`);
    assert.equal(deep.test(`${'a/'.repeat(500)}c`), false);
    assert.equal(deep.test(`${'a/'.repeat(500)}b`), true);
  });

  it('means exactly what the old regex meant, on 20,000 random glob/path pairs', () => {
    const random = seededRandom(15);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const pieces = [
      'a',
      'b',
      '.',
      '/',
      '*',
      '**',
      '**/',
      '?',
      '[ab]',
      '[!a]',
      '[a-c]',
      '{a,b}',
      '{a,*}',
      '{,b/}',
      'x{a,{b,c}}',
      '[',
      '}',
      ',',
    ];
    let matched = 0;
    for (let n = 0; n < 20_000; n++) {
      const glob = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(pieces)).join('');
      const path = Array.from({ length: Math.floor(random() * 10) }, () => pick(['a', 'b', 'c', '.', '/', 'x'])).join('');
      const expected = referenceRegExp(glob).test(path);
      assert.equal(compileGlob(glob).test(path), expected, `${JSON.stringify(glob)} on ${JSON.stringify(path)}`);
      if (expected) matched++;
    }
    assert.ok(matched > 1000, `the sample exercises matches too (${matched})`);
  });

  it('the documented examples', () => {
    const cases: Array<[string, string, boolean]> = [
      ['src/**/*.ts', 'src/a/b/c.ts', true],
      ['src/**/*.ts', 'src/c.ts', true],
      ['src/*.ts', 'src/a/c.ts', false],
      ['file?.{md,txt}', 'file1.md', true],
      ['file?.{md,txt}', 'file12.md', false],
      ['[!a]*.js', 'b.js', true],
      ['[!a]*.js', 'a.js', false],
      ['a[/]b', 'a/b', false],
      ['notes [v2].md', 'notes v.md', true],
      ['{src,test}/**', 'test/x/y', true],
    ];
    for (const [glob, path, expected] of cases) assert.equal(compileGlob(glob).test(path), expected, `${glob} on ${path}`);
  });

  it('invalid globs are errors that name the pattern and the problem', () => {
    const cases: Array<[string, string]> = [
      ['', 'invalid glob "": the pattern is empty'],
      ['src/{a,b', 'invalid glob "src/{a,b": the "{" at column 5 is never closed'],
      ['[z-a].md', 'invalid glob "[z-a].md": the character class "[z-a]" at column 1 is not valid (a reversed range such as z-a?)'],
      ['{a,b}'.repeat(11), `invalid glob "${'{a,b}'.repeat(11)}": its braces expand to more than ${maxGlobAlternatives} alternatives`],
    ];
    for (const [glob, message] of cases) {
      assert.throws(
        () => compileGlobs([glob]),
        (error: unknown) => error instanceof GlobSyntaxError && error.message === message && error.pattern === glob,
        glob,
      );
    }
    assert.equal(compileGlob('{a,b}'.repeat(10)).test('ab'.repeat(5)), true, '1,024 alternatives are fine');
  });
});
