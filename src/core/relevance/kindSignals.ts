/**
 * What kind of file this is, from its path and the first and last lines of its text: generated,
 * lockfile, minified, source map, vendored, snapshot, fixture, test, docs. Each signal carries the
 * evidence shown to the user (the matching line or name).
 *
 * Sources of the rules:
 * - github-linguist/linguist@b45dbe9b2825a43285bcd035861be91cc0a7299e:lib/linguist/generated.rb
 *   (lockfile names, `// Code generated` in Go's first 40 lines, protobuf's "DO NOT EDIT!" in the first
 *   3 lines, minified = .js/.css with average line length > 110, source maps = *.js.map / *.css.map or
 *   a first line `{"version":N,`, a `sourceMappingURL` comment in the last 2 lines, `__generated__/`);
 * - the same commit's lib/linguist/vendor.yml (node_modules/, vendor/, third_party/, bower_components/,
 *   Godeps/_workspace/, `.min.js`) and lib/linguist/documentation.yml (docs/, README, CHANGELOG, LICENSE…);
 * - yamadashy/repomix@ffe1f0cf19ae10ebd247c70d9a3ad57a29ecc829:src/config/defaultIgnore.ts (lockfiles
 *   it skips by default: package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lock(b), Pipfile.lock,
 *   poetry.lock, uv.lock, Cargo.lock, composer.lock, Gemfile.lock, go.sum, mix.lock, …);
 * - Go's generated-code convention, https://go.dev/s/generatedcode (`^// Code generated .* DO NOT EDIT\.$`),
 *   and the `@generated` tag of Meta's tooling (https://generated.at/).
 */

/** A kind of file that is usually worth fewer tokens than hand-written source. */
export type FileKind = 'generated' | 'lockfile' | 'minified' | 'source-map' | 'vendored' | 'snapshot' | 'fixture' | 'test' | 'docs';

/** One signal and what triggered it (a line of the file, or the part of the path). */
export interface KindSignal {
  readonly kind: FileKind;
  readonly evidence: string;
}

/** The parts of a file's text the rules read (see {@link sampleContent}). */
export interface ContentSample {
  /** Up to the first 40 lines. */
  readonly firstLines: readonly string[];
  /** Up to the last 2 non-empty lines. */
  readonly lastLines: readonly string[];
  /** Characters per line over the whole text (line breaks excluded). */
  readonly averageLineLength: number;
}

/** Kinds that make a file noise when nothing in focus imports it: dropped before any unrelated source file. */
export const noiseKinds: ReadonlySet<FileKind> = new Set(['generated', 'lockfile', 'minified', 'source-map', 'vendored', 'snapshot']);

/** Takes the sample the rules need from a file's decoded text. */
export function sampleContent(text: string): ContentSample {
  const firstLines: string[] = [];
  let start = 0;
  while (firstLines.length < 40 && start <= text.length) {
    const end = text.indexOf('\n', start);
    firstLines.push(text.slice(start, end < 0 ? text.length : end).replace(/\r$/, ''));
    if (end < 0) break;
    start = end + 1;
  }
  const lastLines: string[] = [];
  let end = text.length;
  while (lastLines.length < 2 && end > 0) {
    const lineStart = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(lineStart, end).replace(/\r$/, '');
    if (line.trim() !== '') lastLines.unshift(line);
    end = lineStart - 1;
  }
  let lines = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  return { firstLines, lastLines, averageLineLength: (text.length - (lines - 1)) / lines };
}

const lockfileNames = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'deno.lock',
  'composer.lock',
  'Cargo.lock',
  'Gemfile.lock',
  'Pipfile.lock',
  'poetry.lock',
  'pdm.lock',
  'uv.lock',
  'pixi.lock',
  'go.sum',
  'Gopkg.lock',
  'glide.lock',
  'mix.lock',
  'flake.lock',
  'MODULE.bazel.lock',
  'Package.resolved',
  'pubspec.lock',
  'stack.yaml.lock',
  'cabal.project.freeze',
  'packages.lock.json',
  'gradle.lockfile',
  '.terraform.lock.hcl',
]);

const vendoredFolders = [
  'node_modules',
  'vendor',
  'vendors',
  'third_party',
  'third-party',
  'thirdparty',
  'bower_components',
  'jspm_packages',
  '.yarn',
  'Pods',
  'Carthage',
];
const docsFolders = new Set(['docs', 'doc', 'documentation', 'Documentation', 'man', 'javadoc', 'groovydoc']);
const docsExtensions = ['.md', '.mdx', '.markdown', '.rst', '.adoc', '.asciidoc', '.txt', '.org', '.textile', '.rdoc'];
const docsNames =
  /^(README|CHANGES|CHANGELOG|CONTRIBUTING|COPYING|INSTALL|LICEN[CS]E|NOTICE|AUTHORS|CODE_OF_CONDUCT|SECURITY|HISTORY)(\.|$)/i;
const testFolders = new Set(['test', 'tests', '__tests__', 'spec', 'specs', 'e2e', 'integration-tests']);
const fixtureFolders = new Set(['fixtures', '__fixtures__', 'fixture', 'testdata', '__mocks__', 'mocks']);
const generatedPathSuffixes = [
  '.pb.go',
  '.pb.gw.go',
  '_pb2.py',
  '_pb2.pyi',
  '_pb2_grpc.py',
  '.pb.h',
  '.pb.cc',
  '_pb.js',
  '_pb.d.ts',
  '_grpc_pb.js',
  '.g.dart',
  '.freezed.dart',
  '.designer.cs',
  '.g.cs',
  '.generated.ts',
  '.generated.js',
  '.gen.go',
  '_generated.go',
  '.d.ts.map',
];
const generatedFolders = new Set(['__generated__']);

/**
 * The kind signals of one file, in a fixed order (generated, lockfile, minified, source-map,
 * vendored, snapshot, fixture, test, docs). `sample` is optional: without it only path rules apply.
 */
export function kindSignalsOf(path: string, sample?: ContentSample): KindSignal[] {
  const signals: KindSignal[] = [];
  const segments = path.split('/');
  const name = segments[segments.length - 1] ?? path;
  const folders = segments.slice(0, -1);
  const lowerName = name.toLowerCase();
  const extension = lowerName.includes('.') ? lowerName.slice(lowerName.lastIndexOf('.')) : '';

  const generated = generatedEvidence(name, folders, sample);
  if (generated) signals.push({ kind: 'generated', evidence: generated });
  if (lockfileNames.has(name)) signals.push({ kind: 'lockfile', evidence: name });
  const minified = minifiedEvidence(lowerName, extension, sample);
  if (minified) signals.push({ kind: 'minified', evidence: minified });
  const sourceMap = sourceMapEvidence(lowerName, extension, sample);
  if (sourceMap) signals.push({ kind: 'source-map', evidence: sourceMap });
  const vendored = folders.find((folder) => vendoredFolders.includes(folder) || folder === 'Godeps');
  if (vendored) signals.push({ kind: 'vendored', evidence: `${vendored}/` });
  if (folders.includes('__snapshots__') || extension === '.snap') {
    signals.push({ kind: 'snapshot', evidence: folders.includes('__snapshots__') ? '__snapshots__/' : name });
  }
  const fixture = folders.find((folder) => fixtureFolders.has(folder));
  if (fixture) signals.push({ kind: 'fixture', evidence: `${fixture}/` });
  const test = testEvidence(name, folders);
  if (test) signals.push({ kind: 'test', evidence: test });
  const docs =
    folders.length > 0 && docsFolders.has(folders[0]!)
      ? `${folders[0]}/`
      : docsNames.test(name) || docsExtensions.includes(extension)
        ? name
        : null;
  if (docs) signals.push({ kind: 'docs', evidence: docs });
  return signals;
}

function generatedEvidence(name: string, folders: readonly string[], sample: ContentSample | undefined): string | null {
  const lowerName = name.toLowerCase();
  const suffix = generatedPathSuffixes.find((candidate) => lowerName.endsWith(candidate));
  if (suffix) return `*${suffix}`;
  const folder = folders.find((candidate) => generatedFolders.has(candidate));
  if (folder === '__generated__') return '__generated__/';
  if (!sample) return null;
  for (const line of sample.firstLines) {
    const trimmed = line.trim();
    // The marker must open the comment (`// Code generated …`, ` * @generated`, `# DO NOT EDIT`): prose
    // that merely mentions these phrases mid-sentence, like this comment, is not a header.
    const afterCommentStart = /^(\/\/+|#+|\/\*+|\*+|--|;+|<!--|'|REM\b)\s*/i.exec(trimmed);
    if (!afterCommentStart) continue;
    const body = trimmed.slice(afterCommentStart[0].length);
    if (
      /^(Code generated\b|@generated\b|<auto-generated|DO NOT EDIT\b|AUTO-?GENERATED\b|Generated by\b|This (file|code) (is|was) (automatically |auto-?)?generated\b|Automatically generated\b)/i.test(
        body,
      ) ||
      body.includes('Generated by the protocol buffer compiler.  DO NOT EDIT!')
    ) {
      return truncate(trimmed, 72);
    }
  }
  return null;
}

function minifiedEvidence(lowerName: string, extension: string, sample: ContentSample | undefined): string | null {
  if (/[.-]min\.(js|css|mjs)$/.test(lowerName)) return lowerName.slice(lowerName.search(/[.-]min\./));
  if ((extension === '.js' || extension === '.css' || extension === '.mjs') && sample && sample.averageLineLength > 110) {
    return `average line ${Math.round(sample.averageLineLength)} characters`;
  }
  return null;
}

function sourceMapEvidence(lowerName: string, extension: string, sample: ContentSample | undefined): string | null {
  if (extension === '.map' && (/\.(js|css|mjs|cjs|ts)\.map$/.test(lowerName) || /^\{"version":\d+,/.test(sample?.firstLines[0] ?? ''))) {
    return lowerName;
  }
  if ((extension === '.js' || extension === '.css' || extension === '.mjs' || extension === '.cjs') && sample) {
    const reference = sample.lastLines.find((line) => /^\/[*/][#@] source(Mapping)?URL=/.test(line.trim()));
    if (reference) return truncate(reference.trim(), 48);
  }
  return null;
}

function testEvidence(name: string, folders: readonly string[]): string | null {
  if (/\.(test|spec)\.[cm]?[jt]sx?$/i.test(name) || /_test\.(go|py|rs|exs)$/.test(name) || /^test_.*\.py$/.test(name)) return name;
  if (/(Test|Tests|IT)\.(java|kt|cs)$/.test(name)) return name;
  const folder = folders.find((candidate) => testFolders.has(candidate));
  return folder ? `${folder}/` : null;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
