/** Every id the manifest and the code share, in one place (drift-tested against package.json). */
export const commandIds = {
  openPanel: 'contextBudget.openPanel',
  addToContext: 'contextBudget.addToContext',
  removeFromContext: 'contextBudget.removeFromContext',
  addCurrentFile: 'contextBudget.addCurrentFile',
  addOpenEditors: 'contextBudget.addOpenEditors',
  addFolder: 'contextBudget.addFolder',
  clearContext: 'contextBudget.clearContext',
  selectModel: 'contextBudget.selectModel',
  selectGpu: 'contextBudget.selectGpu',
  loadModelConfig: 'contextBudget.loadModelConfig',
  downloadTokenizer: 'contextBudget.downloadTokenizer',
  setHuggingFaceToken: 'contextBudget.setHuggingFaceToken',
  clearHuggingFaceToken: 'contextBudget.clearHuggingFaceToken',
  suggestDrops: 'contextBudget.suggestDrops',
  cancelCounting: 'contextBudget.cancelCounting',
  recount: 'contextBudget.recount',
  clearCountCache: 'contextBudget.clearCountCache',
  checkServer: 'contextBudget.checkServer',
  sortByName: 'contextBudget.sortByName',
  sortByTokens: 'contextBudget.sortByTokens',
  markFocus: 'contextBudget.markFocus',
  unmarkFocus: 'contextBudget.unmarkFocus',
  pin: 'contextBudget.pin',
  unpin: 'contextBudget.unpin',
  openEntry: 'contextBudget.openEntry',
  removeEntry: 'contextBudget.removeEntry',
  copyContext: 'contextBudget.copyContext',
  saveContext: 'contextBudget.saveContext',
  useOutline: 'contextBudget.useOutline',
  useFullText: 'contextBudget.useFullText',
  addChangedFiles: 'contextBudget.addChangedFiles',
  saveContextSet: 'contextBudget.saveContextSet',
  restoreContextSet: 'contextBudget.restoreContextSet',
  deleteContextSet: 'contextBudget.deleteContextSet',
  saveSetToRepository: 'contextBudget.saveSetToRepository',
} as const;

export type CommandId = (typeof commandIds)[keyof typeof commandIds];

export const viewIds = {
  container: 'contextBudget',
  files: 'contextBudget.files',
} as const;

export const contextKeys = {
  hasSelection: 'contextBudget.hasSelection',
  counting: 'contextBudget.counting',
  sort: 'contextBudget.sort',
} as const;

export const statusBarItemId = 'contextBudget.status';
export const panelViewType = 'contextBudget.panel';
export const selectionStateKey = 'contextBudget.selection.v1';
export const sortStateKey = 'contextBudget.sort.v1';
/** Saved context sets of this workspace (workspaceState): name → selection snapshot. */
export const contextSetsStateKey = 'contextBudget.contextSets.v1';
