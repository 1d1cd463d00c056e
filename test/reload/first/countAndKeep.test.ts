// Reload test, first launch: count the workspace and keep the counts (see reloadSupport.ts).
import * as assert from 'node:assert/strict';
import { racyChangeMarginMs } from '../../../src/core/scan/contextCounter';
import { addWorkspaceFolder, contextBudget } from '../reloadSupport';

suite('reload, first launch', () => {
  test('counts the workspace by tokenizing it, and writes the counts to the global storage', async () => {
    const api = await contextBudget();
    // The fixture was copied just before this launch: files changed within the racy margin are not
    // remembered by their change stamp, so let them age (the second launch then need not read them).
    await new Promise((resolve) => setTimeout(resolve, racyChangeMarginMs + 200));
    api.session.selection.clear();
    await addWorkspaceFolder(api);
    const report = api.session.report();
    assert.ok(report.counts.counted >= 3, `${report.counts.counted} files counted`);
    assert.equal(api.countStats().tokenizations, report.counts.counted, 'every file tokenized: the cache was empty');
    await api.flushCountCache();
  });
});
