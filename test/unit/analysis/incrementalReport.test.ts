// The report kept between builds (ReportMemo) must equal a full rebuild after any sequence of
// changes: random edits to counts, checkboxes, flags, framing, outline mode, files added and removed,
// and the settings switched; through buildBudgetReport directly and through a live BudgetSession.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBudgetReport, ReportMemo } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { resolveTarget } from '../../../src/core/analysis/resolveTarget';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import type { FileCount } from '../../../src/core/scan/fileCount';
import { ContextCounter } from '../../../src/core/scan/contextCounter';
import { Selection } from '../../../src/core/selection/selection';
import { BudgetSession } from '../../../src/core/session/budgetSession';
import { defaultSettings } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';
import { ScriptedPool } from '../../fakes/scriptedPool';
import { seededRandom } from '../tokenizer/oracleSupport';

const target = { model: findModel('llama-3.1-8b')!, gpu: findGpu('h100-sxm')! };

function randomCount(random: () => number): FileCount | undefined {
  const roll = random();
  if (roll < 0.08) return undefined;
  if (roll < 0.14) return { kind: 'skipped', reason: 'binary', message: 'PNG image signature' };
  const tokens = Math.floor(random() * 40_000);
  return {
    kind: 'counted',
    tokens,
    sizeBytes: tokens * 4,
    notes: random() < 0.1 ? ['UTF-8 byte-order mark not counted (editors and readers strip it)'] : [],
    secrets: random() < 0.05 ? ['AWS access key id'] : [],
  };
}

function randomFile(random: () => number, id: number, framing: boolean): BudgetFileInput {
  const count = randomCount(random);
  // Names that trigger the name rules too (.env, id_rsa, *.pem).
  const name = [`src/m${id}.ts`, `config/.env.${id}`, `keys/id_rsa_${id}`, `certs/c${id}.pem`][
    random() < 0.9 ? 0 : Math.floor(random() * 4)
  ]!;
  return {
    uri: `file:///w/${name}`,
    relativePath: name,
    included: random() < 0.85,
    focus: random() < 0.1,
    pinned: random() < 0.05,
    open: random() < 0.1,
    recent: random() < 0.1,
    count,
    ...(framing && count?.kind === 'counted' && random() < 0.8 ? { framedTokens: count.tokens + 5 + Math.floor(random() * 20) } : {}),
  };
}

describe('the report kept between builds equals a full rebuild', () => {
  for (const seed of [1, 2, 3]) {
    it(`after 300 random changes to 400 files (seed ${seed})`, () => {
      const random = seededRandom(seed);
      let settings: Settings = defaultSettings;
      let files = Array.from({ length: 400 }, (_, i) => randomFile(random, i, false));
      let nextId = files.length;
      let treeTokens: number | null = null;
      const memo = new ReportMemo();
      for (let step = 0; step < 300; step++) {
        const i = Math.floor(random() * files.length);
        const file = files[i]!;
        const framing = settings.exportFraming !== 'none';
        const roll = random();
        if (roll < 0.45) {
          // An edit: a new count (and framed count) for one file.
          const count = randomCount(random);
          files[i] = {
            ...file,
            count,
            ...(framing && count?.kind === 'counted' ? { framedTokens: count.tokens + 7 } : { framedTokens: undefined }),
          };
        } else if (roll < 0.6) {
          files[i] = { ...file, included: !file.included };
        } else if (roll < 0.7) {
          files[i] = { ...file, focus: !file.focus, pinned: random() < 0.5 ? !file.pinned : file.pinned };
        } else if (roll < 0.77) {
          files[i] = { ...file, open: !file.open, recent: random() < 0.5 ? !file.recent : file.recent };
        } else if (roll < 0.84) {
          files.splice(Math.floor(random() * (files.length + 1)), 0, randomFile(random, nextId++, framing));
        } else if (roll < 0.9 && files.length > 10) {
          files.splice(i, 1);
        } else if (roll < 0.94) {
          // Framing on or off, with or without the tree: every row's footprint changes.
          const exportFraming = (['none', 'xml', 'markdown'] as const)[Math.floor(random() * 3)]!;
          settings = { ...settings, exportFraming, exportDirectoryTree: random() < 0.5 };
          files = files.map((f) =>
            exportFraming !== 'none' && f.count?.kind === 'counted' && random() < 0.9
              ? { ...f, framedTokens: f.count.tokens + 11 }
              : { ...f, framedTokens: undefined },
          );
        } else if (roll < 0.955) {
          // Outline mode on or off (issue 14): the outline counted, unavailable or still pending.
          const outlineRoll = random();
          files[i] =
            file.mode === 'outline'
              ? { ...file, mode: 'full', outline: undefined }
              : outlineRoll < 0.6 && file.count?.kind === 'counted'
                ? {
                    ...file,
                    mode: 'outline',
                    outline: {
                      kind: 'counted',
                      tokens: Math.floor(file.count.tokens * 0.4),
                      framedTokens: Math.floor(file.count.tokens * 0.4) + 9,
                    },
                  }
                : outlineRoll < 0.8
                  ? { ...file, mode: 'outline', outline: { kind: 'unavailable', reason: 'no parser for this file type' } }
                  : { ...file, mode: 'outline' };
        } else if (roll < 0.97) {
          settings = {
            ...settings,
            reserveOutputTokens: Math.floor(random() * 100_000),
            budgetTokens: random() < 0.5 ? 0 : Math.floor(random() * 2_000_000),
          };
        } else {
          treeTokens = random() < 0.3 ? null : Math.floor(random() * 500);
        }
        const extras = { treeTokens };
        const kept = buildBudgetReport(files, settings, target, extras, memo);
        const full = buildBudgetReport(files, settings, target, extras);
        assert.deepStrictEqual(kept, full, `step ${step}`);
        // Byte for byte as the CLI prints it, too (key order included).
        assert.equal(JSON.stringify(kept), JSON.stringify(full));
      }
    });
  }

  it('through a live session: after random edits and flag changes, report() equals a rebuild of its inputs', async () => {
    const random = seededRandom(11);
    const fs = new InMemoryWorkspaceFs();
    const texts = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const uri = `/w/src/f${String(i).padStart(3, '0')}.ts`;
      const text = `export const v${i} = ${'x + '.repeat(Math.floor(random() * 200))}1;\n`;
      fs.file(uri, text, 1);
      texts.set(uri, text);
    }
    const pool = new ScriptedPool();
    const selection = new Selection();
    const session = new BudgetSession({
      selection,
      counter: new ContextCounter(fs, pool),
      fs,
      context: { generation: 1, settings: defaultSettings, target: resolveTarget(defaultSettings) },
      notifyDelayMs: 0,
    });
    selection.add([...texts.keys()].map((uri) => ({ uri, relativePath: uri.slice(3) })));
    await session.whenIdle();
    const uris = [...texts.keys()];
    let mtime = 2;
    for (let step = 0; step < 120; step++) {
      const uri = uris[Math.floor(random() * uris.length)]!;
      const roll = random();
      if (roll < 0.4) {
        const text = `${texts.get(uri)!}// edit ${step}\n`;
        texts.set(uri, text);
        fs.file(uri, text, mtime++);
        await session.fileChanged(uri);
      } else if (roll < 0.55) {
        await session.bufferChanged(uri, `${texts.get(uri)!} unsaved ${step}`);
      } else if (roll < 0.6) {
        session.bufferClosed(uri);
      } else if (roll < 0.75) {
        selection.setIncluded([uri], random() < 0.5);
      } else if (roll < 0.85) {
        selection.setFocus([uri], random() < 0.5);
      } else if (roll < 0.95) {
        session.setOpenEditors(uris.filter(() => random() < 0.05));
      } else {
        selection.setPinned([uri], random() < 0.5);
      }
      await session.whenIdle();
      const { settings, target: sessionTarget } = session.context;
      assert.deepStrictEqual(
        session.report(),
        buildBudgetReport(session.inputs(), settings, sessionTarget, { treeTokens: 0, skippedFiles: session.skippedFiles }),
        `step ${step}`,
      );
    }
    session.dispose();
  });
});
