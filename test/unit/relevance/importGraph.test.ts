import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { FileSyntax } from '../../../src/core/relevance/extractSyntax';
import { ImportGraph } from '../../../src/core/relevance/importGraph';
import { joinPath } from '../../../src/core/relevance/paths';
import { seededRandom } from '../../support/seededRandom';
import { emptyProjectConfig, parseGoMod, parseJsonc, parseTsConfig } from '../../../src/core/relevance/projectConfig';
import type { ProjectConfig } from '../../../src/core/relevance/projectConfig';
import { testParser } from '../../support/treeSitter';

// Each tree is parsed by the real grammars; the expected edges are what the language's own resolution
// rules give (written by hand).

async function graphOf(files: Record<string, string>, config: ProjectConfig = emptyProjectConfig): Promise<ImportGraph> {
  const graph = new ImportGraph();
  graph.setProjectConfig(config);
  for (const [path, text] of Object.entries(files)) graph.setFile(path, await testParser().parse(path, text));
  return graph;
}

const edges = (graph: ImportGraph): Record<string, readonly string[]> =>
  Object.fromEntries(
    graph
      .files()
      .map((path) => [path, graph.importsOf(path)])
      .filter(([, targets]) => targets!.length > 0),
  );

test('TypeScript/JavaScript: relative paths, extension and index probing, .js naming a .ts source, tsconfig paths and baseUrl', async () => {
  const tsconfig = parseTsConfig(
    'tsconfig.json',
    `{
      // comments and trailing commas, as tsc accepts
      "compilerOptions": { "baseUrl": "src", "paths": { "@app/*": ["app/*"], "@lib": ["lib/index.ts"], }, },
    }`,
  );
  const graph = await graphOf(
    {
      'src/main.ts':
        "import './util';\nimport { a } from './app/a.js';\nimport '@app/b';\nimport '@lib';\nimport 'shared/c';\nimport 'react';\nimport data from './data.json';",
      'src/util/index.ts': 'export const u = 1;',
      'src/app/a.ts': "export { b } from '../app/b';",
      'src/app/b.tsx': 'export const b = 1;',
      'src/lib/index.ts': 'export {};',
      'src/shared/c.js': "module.exports = require('./d');",
      'src/shared/d.cjs': '',
      'src/data.json': '{}',
    },
    { tsConfigs: [tsconfig], goModules: [] },
  );
  assert.deepEqual(edges(graph), {
    'src/main.ts': ['src/app/a.ts', 'src/app/b.tsx', 'src/data.json', 'src/lib/index.ts', 'src/shared/c.js', 'src/util/index.ts'],
    'src/app/a.ts': ['src/app/b.tsx'],
    'src/shared/c.js': ['src/shared/d.cjs'],
  });
  assert.equal(graph.unresolvedImportsOf('src/main.ts'), 1, 'react is outside the selection');
});

test('tsconfig: a relative extends lends its paths; bad fields are named', () => {
  const base = parseTsConfig('config/tsconfig.base.json', '{"compilerOptions":{"paths":{"~/*":["../src/*"]}}}');
  assert.deepEqual(base.paths, [['~/*', ['src/*']]]);
  const child = parseTsConfig('tsconfig.json', '{"extends": "./config/tsconfig.base", "compilerOptions": {}}');
  assert.equal(child.extendsPath, 'config/tsconfig.base.json');
  assert.throws(
    () => parseTsConfig('t.json', '{"compilerOptions":{"paths":{"a":"b"}}}'),
    /t\.json: compilerOptions\.paths\["a"\] must be an array of strings/,
  );
  assert.throws(() => parseTsConfig('t.json', '{"compilerOptions": '), /t\.json: not valid JSON with comments/);
  assert.deepEqual(parseJsonc('{"a": "// not a comment", /* c */ "b": [1, 2,], }', 'x'), { a: '// not a comment', b: [1, 2] });
});

test('tsconfig extends: paths inherited through a relative extends resolve imports', async () => {
  const base = parseTsConfig('config/tsconfig.base.json', '{"compilerOptions":{"paths":{"~/*":["../src/*"]}}}');
  const child = parseTsConfig('tsconfig.json', '{"extends": "./config/tsconfig.base"}');
  const graph = await graphOf({ 'src/a.ts': "import '~/b';", 'src/b.ts': '' }, { tsConfigs: [base, child], goModules: [] });
  assert.deepEqual(graph.importsOf('src/a.ts'), ['src/b.ts']);
});

test('Python: packages, relative levels, submodules named in from-imports, nearest match for absolute imports', async () => {
  const graph = await graphOf({
    'proj/app/__init__.py': '',
    'proj/app/main.py':
      'from . import models\nfrom .util.text import slug\nfrom ..common import helpers\nimport app.settings\nimport os\nfrom app import views',
    'proj/app/models.py': 'from .settings import DEBUG',
    'proj/app/settings.py': '',
    'proj/app/views.py': '',
    'proj/app/util/__init__.py': '',
    'proj/app/util/text.py': '',
    'proj/common/helpers.py': '',
    'other/app/settings.py': '',
  });
  assert.deepEqual(edges(graph), {
    'proj/app/main.py': [
      'proj/app/models.py',
      'proj/app/settings.py',
      'proj/app/util/text.py',
      'proj/app/views.py',
      'proj/common/helpers.py',
    ],
    'proj/app/models.py': ['proj/app/settings.py'],
  });
});

test('Go: go.mod module paths, one package = one folder, tests see their package, standard library ignored', async () => {
  const graph = await graphOf(
    {
      'svc/cmd/main.go': 'package main\nimport (\n"fmt"\n"example.com/svc/internal/store"\n)',
      'svc/internal/store/store.go': 'package store\nfunc Open() {}',
      'svc/internal/store/cache.go': 'package store',
      'svc/internal/store/store_test.go': 'package store',
    },
    { tsConfigs: [], goModules: [parseGoMod('svc/go.mod', '// comment\nmodule example.com/svc // trailing\n\ngo 1.22\n')] },
  );
  assert.deepEqual(edges(graph), {
    'svc/cmd/main.go': ['svc/internal/store/cache.go', 'svc/internal/store/store.go'],
    'svc/internal/store/cache.go': ['svc/internal/store/store.go'],
    'svc/internal/store/store.go': ['svc/internal/store/cache.go'],
    'svc/internal/store/store_test.go': ['svc/internal/store/cache.go', 'svc/internal/store/store.go'],
  });
  assert.throws(() => parseGoMod('go.mod', 'go 1.22\n'), /go\.mod: no module directive/);
});

test('Rust: mod files (x.rs and x/mod.rs), crate::, self::, super:: and 2018 child-module paths', async () => {
  const graph = await graphOf({
    'src/lib.rs': 'mod net;\nmod util;\nuse crate::net::http::Client;',
    'src/net/mod.rs': 'pub mod http;\nuse self::http::Client;\nuse super::util::helper;',
    'src/net/http.rs': 'use crate::util;\nuse serde::Serialize;',
    'src/util.rs': 'pub fn helper() {}',
  });
  assert.deepEqual(edges(graph), {
    'src/lib.rs': ['src/net/http.rs', 'src/net/mod.rs', 'src/util.rs'],
    'src/net/mod.rs': ['src/net/http.rs', 'src/util.rs'],
    'src/net/http.rs': ['src/util.rs'],
  });
});

test('Java: single-type, static and on-demand imports; same-package types linked only when named', async () => {
  const graph = await graphOf({
    'src/com/x/App.java':
      'package com.x;\nimport com.y.Repo;\nimport static com.y.Util.helper;\nimport com.z.*;\nclass App { Service s; Model m; }',
    'src/com/x/Service.java': 'package com.x;\nclass Service {}',
    'src/com/x/Unused.java': 'package com.x;\nclass Unused {}',
    'src/com/y/Repo.java': 'package com.y;\npublic class Repo {}',
    'src/com/y/Util.java': 'package com.y;\npublic class Util {}',
    'src/com/z/Model.java': 'package com.z;\npublic class Model {}',
    'src/com/z/Other.java': 'package com.z;\npublic class Other {}',
  });
  assert.deepEqual(edges(graph), {
    'src/com/x/App.java': ['src/com/x/Service.java', 'src/com/y/Repo.java', 'src/com/y/Util.java', 'src/com/z/Model.java'],
  });
});

test('C/C++: quoted includes from the including folder first, then by path suffix; angle includes by suffix only', async () => {
  const graph = await graphOf({
    'src/main.cpp': '#include "util.h"\n#include "net/socket.h"\n#include <proj/config.h>\n#include <vector>',
    'src/util.h': '',
    'lib/util.h': '',
    'lib/net/socket.h': '',
    'include/proj/config.h': '',
  });
  assert.deepEqual(graph.importsOf('src/main.cpp'), ['include/proj/config.h', 'lib/net/socket.h', 'src/util.h']);
});

test('distances: the import closure with the path taken, and direct importers', async () => {
  const graph = await graphOf({
    'a.ts': "import './b';",
    'b.ts': "import './c';",
    'c.ts': "import './d';",
    'd.ts': '',
    'test.ts': "import './a';",
    'far.ts': "import './test';",
  });
  const { dependencies, dependents } = graph.distancesFrom(['a.ts']);
  assert.deepEqual(dependencies.get('d.ts'), { distance: 3, anchor: 'a.ts', firstStep: 'b.ts', previous: 'c.ts' });
  assert.deepEqual(dependencies.get('b.ts'), { distance: 1, anchor: 'a.ts', firstStep: null, previous: 'a.ts' });
  assert.equal(dependencies.has('test.ts'), false);
  assert.equal(dependents.get('test.ts')?.distance, 1);
  assert.equal(dependents.get('far.ts')?.distance, 2);
});

test('incremental: an edit re-resolves one file, an added file rebuilds the index; both equal a build from scratch', async () => {
  const files: Record<string, string> = { 'a.ts': "import './b';", 'b.ts': "import './c';", 'c.ts': '', 'x.ts': "import './a';" };
  const graph = await graphOf(files);
  graph.importsOf('a.ts');
  const settled = graph.stats();
  const edited = "import './c';";
  graph.setFile('a.ts', await testParser().parse('a.ts', edited));
  assert.deepEqual(graph.importsOf('a.ts'), ['c.ts']);
  assert.deepEqual(graph.stats(), { resolutions: settled.resolutions + 1, indexBuilds: settled.indexBuilds });
  // A new b/index.ts does not change what './b' means (b.ts wins), a removed b.ts does.
  graph.setFile('b/index.ts', await testParser().parse('b/index.ts', ''));
  graph.removeFile('b.ts');
  assert.deepEqual(graph.importersOf('b/index.ts'), []);
  graph.setFile('a.ts', await testParser().parse('a.ts', "import './b';"));
  assert.deepEqual(graph.importsOf('a.ts'), ['b/index.ts']);
  assert.equal(graph.stats().indexBuilds, settled.indexBuilds + 1, 'one rebuild for the three changes, done lazily');
  const scratch = await graphOf({ 'a.ts': "import './b';", 'b/index.ts': '', 'c.ts': '', 'x.ts': "import './a';" });
  assert.deepEqual(edges(graph), edges(scratch));
  assert.deepEqual(graph.files(), scratch.files());
});

test('unparsed files are nodes: a TS import of a JSON or Markdown file makes an edge', async () => {
  const graph = new ImportGraph();
  graph.setFile('a.ts', await testParser().parse('a.ts', "import c from './catalog.json';"));
  graph.setFile('catalog.json', null);
  assert.deepEqual(graph.importsOf('a.ts'), ['catalog.json']);
  assert.deepEqual(graph.importersOf('catalog.json'), ['a.ts']);
});

test('syntax objects from another language never cross-resolve', () => {
  const graph = new ImportGraph();
  const py: FileSyntax = {
    language: 'python',
    imports: [{ kind: 'python', level: 0, module: 'b', names: [] }],
    packageName: null,
    typeReferences: [],
    outline: '',
    hasErrors: false,
  };
  graph.setFile('a.py', py);
  graph.setFile('b.ts', null);
  assert.deepEqual(graph.importsOf('a.py'), []);
});

test('TypeScript/JavaScript probing: the first extension in TypeScript order wins, a file before a folder index', async () => {
  // For `./x`, TypeScript tries x.ts, x.tsx, x.d.ts, x.mts, x.cts, then x.js…, then x/index.* in the same order.
  const order = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
  const cases: Array<{ present: string[]; expected: string }> = [
    { present: ['x.js', 'x.d.ts', 'x.tsx'], expected: 'x.tsx' },
    { present: ['x.d.ts', 'x.js'], expected: 'x.d.ts' },
    { present: ['x.cjs', 'x/index.ts'], expected: 'x.cjs' },
    { present: ['x/index.js', 'x/index.d.ts'], expected: 'x/index.d.ts' },
    // x.d.ts is also "x.d" + ".ts": it must not answer for `./x.d`'s neighbour `./x` under the wrong extension.
    { present: ['x.d.mts', 'x.mjs'], expected: 'x.mjs' },
    ...order.map((extension) => ({ present: [`x${extension}`, 'x/index.ts'], expected: `x${extension}` })),
  ];
  for (const { present, expected } of cases) {
    const files: Record<string, string> = { 'a.ts': "import './x';" };
    for (const path of present) files[path] = '';
    assert.deepEqual((await graphOf(files)).importsOf('a.ts'), [expected], present.join(', '));
  }
});

test('joinPath gives what splitting, dropping `.`/empty segments and climbing `..` gives, for any mix', () => {
  const reference = (base: string, relative: string): string => {
    const segments: string[] = [];
    for (const part of relative.startsWith('/') ? relative.split('/') : [...base.split('/'), ...relative.split('/')]) {
      if (part === '' || part === '.') continue;
      if (part === '..' && segments.length > 0 && segments[segments.length - 1] !== '..') segments.pop();
      else segments.push(part);
    }
    return segments.join('/');
  };
  const pieces = ['a', 'b', '.', '..', '', 'index.ts', '.hidden', '..x'];
  const random = seededRandom(7);
  const next = (n: number): number => Math.floor(random() * n);
  const pathOf = (): string => Array.from({ length: next(4) }, () => pieces[next(pieces.length)]).join('/');
  for (let i = 0; i < 5000; i++) {
    const base = pathOf();
    const relative = (next(2) === 0 ? './' : '') + pathOf();
    assert.equal(joinPath(base, relative), reference(base, relative), `${JSON.stringify(base)} + ${JSON.stringify(relative)}`);
  }
});
