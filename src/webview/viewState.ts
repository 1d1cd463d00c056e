import type { PanelDropTarget, PanelFileFlag } from '../protocol/panelProtocol';
import { panelDropTargets, panelFileFlags } from '../protocol/panelProtocol';

export type SortKey = 'order' | 'path' | 'tokens' | 'share';
const sortKeys: readonly SortKey[] = ['order', 'path', 'tokens', 'share'];

/** What the panel keeps across reloads (VS Code's webview state): table sort and filter, the chosen drop target. */
export interface ViewState {
  sortKey: SortKey;
  descending: boolean;
  filter: string;
  flag: PanelFileFlag | '';
  dropTarget?: PanelDropTarget;
}

/** Restores a saved view state; anything malformed falls back to the defaults. */
export function restoreViewState(saved: unknown): ViewState {
  const fallback: ViewState = { sortKey: 'order', descending: false, filter: '', flag: '' };
  if (typeof saved !== 'object' || saved === null) return fallback;
  const value = saved as Partial<ViewState>;
  return {
    sortKey: sortKeys.includes(value.sortKey as SortKey) ? (value.sortKey as SortKey) : fallback.sortKey,
    descending: value.descending === true,
    filter: typeof value.filter === 'string' ? value.filter.slice(0, 500) : '',
    flag: typeof value.flag === 'string' && (panelFileFlags as readonly string[]).includes(value.flag) ? (value.flag as PanelFileFlag) : '',
    dropTarget: panelDropTargets.includes(value.dropTarget as PanelDropTarget) ? value.dropTarget : undefined,
  };
}
