/**
 * The CLI's plan memo: a workspace's last few drop plans, each kept under the SHA-256 of every input
 * the plan read (src/cli/planReplay.ts builds the key). A re-run whose inputs hash the same prints the
 * remembered plan instead of loading every parse and ranking every file again: on the 9,040-file
 * bench tree that was ~1 s of a 2.2 s re-run (issue 13). Lives in the count cache's workspace folder,
 * so the cache's cap, eviction and Clear Count Cache cover it.
 *
 * Like the rest of the cache it is never trusted: each plan carries the SHA-256 of its JSON, is
 * checked field by field when read back, and a file that does not check out is reported once,
 * ignored and made again. Each plan is its own file, written to a temporary file and renamed, so
 * several processes at once each read a whole plan or none (a plan lost to a race is only made again).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../core/cache/countStoreFormat';
import { planSummaryFromJson } from '../core/presenters/planSummary';
import type { PlanSummary } from '../core/presenters/planSummary';
import { abandonedTemporaryMs, uniqueWriterId, writeThenRename } from './atomicWrite';
import { nodeCrypto } from './lazyBuiltins';

/** The memo's folder in a workspace's cache folder (versioned like the cache's families): one file per plan. */
export const planMemoFolderName = 'plans-v1';

/** Plans kept per workspace: the same command run again hits; a few commands taking turns still do. */
const keptPlans = 4;

export interface PlanMemoOptions {
  /** The workspace's cache folder (named on first use: see DiskCountStore). */
  readonly folder: () => string;
  /** The cache's cap: a plan over an eighth of it is not kept (it would crowd out counts). */
  readonly maxBytes: number;
  /** Told once per process about a memo that cannot be read or written. */
  readonly report: (message: string) => void;
  readonly now?: () => number;
}

/**
 * Each plan is the file `plans-v1/<key>.json`: the SHA-256 of the plan's JSON on the first line, the
 * JSON on the second. A hit reads one file; the newest {@link keptPlans} files (by write) are kept.
 */
export class PlanMemo {
  private readonly options: PlanMemoOptions;

  constructor(options: PlanMemoOptions) {
    this.options = options;
  }

  private get folder(): string {
    return path.join(this.options.folder(), planMemoFolderName);
  }

  /** The plan remembered under `key`, or undefined (none, or one that does not check out: reported). Never rejects. */
  async recall(key: string): Promise<PlanSummary | undefined> {
    if (!sha256Hex.test(key)) return undefined;
    const file = path.join(this.folder, `${key}.json`);
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.report(`the remembered drop plan ${file} cannot be read (${(error as Error).message}); it is made again`);
      }
      return undefined;
    }
    try {
      const lineEnd = bytes.indexOf(0x0a);
      const body = bytes.subarray(lineEnd + 1);
      if (lineEnd !== 64 || bytes.toString('latin1', 0, lineEnd) !== sha256(body)) throw new Error('its checksum does not match');
      return planSummaryFromJson(JSON.parse(body.toString('utf8')));
    } catch (error) {
      this.options.report(`the remembered drop plan ${file} is damaged (${(error as Error).message}); it is made again`);
      return undefined;
    }
  }

  /** Keeps `plan` under `key`, then removes all but the newest plans. Never rejects: a failure is reported. */
  async remember(key: string, plan: PlanSummary): Promise<void> {
    if (!sha256Hex.test(key)) return;
    const body = Buffer.from(JSON.stringify(plan));
    if (body.byteLength > this.options.maxBytes / 8) return;
    const folder = this.folder;
    const file = path.join(folder, `${key}.json`);
    try {
      await fsp.mkdir(folder, { recursive: true });
      await writeThenRename(`${file}.${uniqueWriterId()}.tmp`, file, Buffer.concat([Buffer.from(`${sha256(body)}\n`), body]));
      await this.keepNewest(folder);
    } catch (error) {
      this.options.report(`the drop plan cannot be remembered in ${folder} (${(error as Error).message})`);
    }
  }

  /** Removes all but the {@link keptPlans} newest plans, and temporary files a dead process left behind. */
  private async keepNewest(folder: string): Promise<void> {
    const now = this.options.now?.() ?? Date.now();
    const plans: Array<{ file: string; mtimeMs: number }> = [];
    for (const name of await fsp.readdir(folder)) {
      const file = path.join(folder, name);
      const stat = await fsp.stat(file).catch(() => undefined);
      if (stat === undefined) continue;
      if (name.endsWith('.json')) plans.push({ file, mtimeMs: stat.mtimeMs });
      else if (name.endsWith('.tmp') && now - stat.mtimeMs > abandonedTemporaryMs) await fsp.rm(file, { force: true });
    }
    plans.sort((a, b) => b.mtimeMs - a.mtimeMs);
    await Promise.all(plans.slice(keptPlans).map((plan) => fsp.rm(plan.file, { force: true })));
  }
}

function sha256(bytes: Buffer): string {
  return nodeCrypto().createHash('sha256').update(bytes).digest('hex');
}
