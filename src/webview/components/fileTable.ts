import type { PanelFileFlag, PanelFileRow, WebviewMessage } from '../../protocol/panelProtocol';
import { panelFileFlags } from '../../protocol/panelProtocol';
import { el, icon, setText } from '../dom';
import type { SortKey, ViewState } from '../viewState';

/** Must equal `#file-table tbody tr` height in panel.css: the virtual window is computed from it. */
export const rowHeightPx = 26;
/** Rows drawn above and below the visible ones, so a fast scroll shows no gap. */
const overscanRows = 12;
/** Rows drawn before the viewport has a height (first paint, hidden panel). */
const initialRows = 40;

export const flagLabels: Readonly<Record<PanelFileFlag, { text: string; icon: string; title: string }>> = {
  middle: {
    text: 'middle',
    icon: 'arrow-both',
    title: 'Midpoint lies in the middle band of the prompt, where recall is lowest (Lost in the Middle)',
  },
  focus: { text: 'focus', icon: 'star-full', title: 'Marked as focus: what the model most needs to see' },
  pinned: { text: 'pinned', icon: 'pinned', title: 'Pinned: never proposed for dropping' },
  'beyond-effective': { text: 'past effective', icon: 'warning', title: 'Ends past the effective or trained window: degraded recall' },
  'beyond-max': { text: 'past max', icon: 'error', title: 'Ends past the maximum window: the server rejects it or positions extrapolate' },
  skipped: { text: 'skipped', icon: 'circle-slash', title: 'Not counted: see the note' },
  unchecked: { text: 'unchecked', icon: 'circle-large-outline', title: 'In the list but unchecked: not in the prompt' },
  pending: { text: 'counting', icon: 'loading', title: 'Being counted' },
  secret: { text: 'secret?', icon: 'key', title: 'Looks like it holds a secret (see the note): export asks before including it' },
  link: { text: 'link', icon: 'file-symlink-file', title: 'A symbolic link: its target is what is counted (see the note)' },
  outline: {
    text: 'outline',
    icon: 'list-tree',
    title: 'Outline mode: counted and exported as its outline, declarations without bodies (see the note)',
  },
};

const columns: readonly { key: SortKey | null; label: string; className: string }[] = [
  { key: 'order', label: '#', className: 'col-order num' },
  { key: 'path', label: 'Path', className: 'col-path' },
  { key: 'tokens', label: 'Tokens', className: 'col-tokens num' },
  { key: 'share', label: 'Share', className: 'col-share num' },
  { key: null, label: 'Token range', className: 'col-range num' },
  { key: null, label: 'Flags', className: 'col-flags' },
  { key: null, label: 'Note', className: 'col-note' },
];

/**
 * The file table, virtualised: whatever the selection's size, only the rows in view (plus a margin)
 * are in the DOM, between two spacer rows that keep the scroll height right. Filtering and sorting
 * work on the whole list in memory; 20,000 rows filter in a few milliseconds.
 */
export class FileTable {
  readonly element = el('section', { class: 'files', 'aria-labelledby': 'files-title' });
  private readonly filterInput = el('input', {
    id: 'file-filter',
    type: 'search',
    placeholder: 'Filter by path',
    'aria-label': 'Filter files by path',
  });
  private readonly flagSelect = el(
    'select',
    { id: 'flag-filter', 'aria-label': 'Show only files with this flag' },
    el('option', { value: '' }, 'All files'),
    ...panelFileFlags.map((flag) => el('option', { value: flag }, `Only ${flagLabels[flag].text}`)),
  );
  private readonly count = el('p', { class: 'muted', id: 'file-count', 'aria-live': 'polite' });
  private readonly viewport = el('div', { class: 'table-viewport', tabindex: '-1' });
  private readonly table = el('table', { class: 'file-table', id: 'file-table' });
  private readonly headerRow = el('tr', { 'aria-rowindex': '1' });
  private readonly body = el('tbody', {});
  private readonly topSpacer = el('td', { colspan: String(columns.length) });
  private readonly bottomSpacer = el('td', { colspan: String(columns.length) });
  /** Every row in the chosen sort order, with its lowercased path: sorted once per update or sort change, so typing only filters. */
  private sorted: { readonly row: PanelFileRow; readonly needle: string }[] = [];
  private rows: PanelFileRow[] = [];
  private windowKey = '';
  private frame = 0;

  constructor(
    private readonly view: ViewState,
    private readonly send: (message: WebviewMessage) => void,
    private readonly saveView: () => void,
  ) {
    this.filterInput.value = view.filter;
    this.flagSelect.value = view.flag;
    this.filterInput.addEventListener('input', () => {
      this.view.filter = this.filterInput.value;
      this.saveView();
      this.refilter();
    });
    this.flagSelect.addEventListener('change', () => {
      this.view.flag = this.flagSelect.value as PanelFileFlag | '';
      this.saveView();
      this.refilter();
    });
    this.viewport.addEventListener('scroll', () => this.scheduleWindow(), { passive: true });
    window.addEventListener('resize', () => this.scheduleWindow());
    this.table.append(
      el('caption', { class: 'visually-hidden' }, 'Files in the prompt context'),
      el('colgroup', {}, ...columns.map((column) => el('col', { class: column.className }))),
      el('thead', {}, this.headerRow),
      this.body,
    );
    this.viewport.append(this.table);
    this.element.append(
      el('h2', { id: 'files-title' }, 'Files in prompt order'),
      el('div', { class: 'toolbar' }, this.filterInput, this.flagSelect, this.count),
      this.viewport,
    );
    this.renderHeader();
  }

  update(files: readonly PanelFileRow[], empty: boolean): void {
    this.element.hidden = empty;
    this.sorted = files.map((row) => ({ row, needle: row.path.toLowerCase() }));
    this.resort();
  }

  private resort(): void {
    const compare = compareRows(this.view.sortKey, this.view.descending);
    this.sorted.sort((a, b) => compare(a.row, b.row));
    this.refilter();
  }

  /** Applies the filter to the sorted rows (order kept, so no sort per keystroke), then draws the rows in view. */
  private refilter(): void {
    const needle = this.view.filter.trim().toLowerCase();
    const flag = this.view.flag;
    const rows: PanelFileRow[] = [];
    for (const entry of this.sorted) {
      if ((needle === '' || entry.needle.includes(needle)) && (flag === '' || entry.row.flags.includes(flag))) rows.push(entry.row);
    }
    this.rows = rows;
    const total = this.sorted.length;
    setText(
      this.count,
      rows.length === total
        ? `${total.toLocaleString('en-US')} file(s)`
        : `${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} file(s)`,
    );
    this.table.setAttribute('aria-rowcount', String(this.rows.length + 1));
    this.windowKey = '';
    this.drawWindow();
  }

  private scheduleWindow(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.drawWindow();
    });
  }

  /** Draws the rows that are in view; a scroll that stays in the same window draws nothing. */
  private drawWindow(): void {
    const height = this.viewport.clientHeight;
    const visible = height > 0 ? Math.ceil(height / rowHeightPx) : initialRows;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / rowHeightPx) - overscanRows);
    const last = Math.min(this.rows.length, first + visible + 2 * overscanRows);
    const key = `${first}:${last}:${this.rows.length}`;
    if (key === this.windowKey) return;
    this.windowKey = key;
    const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
    this.topSpacer.style.height = `${first * rowHeightPx}px`;
    this.bottomSpacer.style.height = `${(this.rows.length - last) * rowHeightPx}px`;
    const drawn = this.rows.slice(first, last).map((row, index) => this.rowElement(row, first + index + 2));
    this.body.replaceChildren(
      el('tr', { class: 'spacer', 'aria-hidden': 'true' }, this.topSpacer),
      ...drawn,
      el('tr', { class: 'spacer', 'aria-hidden': 'true' }, this.bottomSpacer),
    );
    if (focusedKey) this.body.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
  }

  private renderHeader(): void {
    this.headerRow.replaceChildren(
      ...columns.map((column) => {
        if (!column.key) return el('th', { scope: 'col', class: column.className }, column.label);
        const key = column.key;
        const active = this.view.sortKey === key;
        const sortButton = el(
          'button',
          {
            type: 'button',
            class: 'sort',
            'data-sort': key,
            'data-key': `sort:${key}`,
            title: `Sort by ${column.label === '#' ? 'prompt order' : column.label.toLowerCase()}`,
          },
          column.label,
          active ? icon(this.view.descending ? 'arrow-down' : 'arrow-up') : null,
        );
        sortButton.addEventListener('click', () => {
          if (this.view.sortKey === key) this.view.descending = !this.view.descending;
          else {
            this.view.sortKey = key;
            this.view.descending = key === 'tokens' || key === 'share';
          }
          this.saveView();
          this.renderHeader();
          this.resort();
          this.headerRow.querySelector<HTMLElement>(`[data-key="sort:${key}"]`)?.focus();
        });
        return el(
          'th',
          { scope: 'col', class: column.className, 'aria-sort': active ? (this.view.descending ? 'descending' : 'ascending') : 'none' },
          sortButton,
        );
      }),
    );
  }

  private rowElement(row: PanelFileRow, rowIndex: number): HTMLTableRowElement {
    const slash = row.path.lastIndexOf('/');
    // Long paths lose their middle, never their file name; the full path is in the tooltip.
    const open = el(
      'button',
      { type: 'button', class: 'link path-cell', title: row.path, 'aria-label': row.path, 'data-key': `open:${row.uri}` },
      el('span', { class: 'path-dir' }, slash >= 0 ? row.path.slice(0, slash + 1) : ''),
      el('span', { class: 'path-name' }, slash >= 0 ? row.path.slice(slash + 1) : row.path),
    );
    open.addEventListener('click', () => this.send({ type: 'openFile', uri: row.uri }));
    return el(
      'tr',
      {
        'data-uri': row.uri,
        'aria-rowindex': String(rowIndex),
        class: row.flags.includes('unchecked') || row.flags.includes('skipped') ? 'dim' : undefined,
      },
      el('td', { class: 'num' }, row.order === null ? '—' : String(row.order)),
      el('td', { class: 'path' }, open),
      el('td', { class: 'num' }, row.tokensText),
      el('td', { class: 'num share-cell' }, shareBar(row.share), row.shareText),
      el('td', { class: 'num' }, row.rangeText),
      el(
        'td',
        { class: 'flags', title: row.flags.map((flag) => flagLabels[flag].title).join('\n') || undefined },
        ...row.flags.map((flag) => el('span', { class: `flag flag-${flag}` }, icon(flagLabels[flag].icon), flagLabels[flag].text)),
      ),
      el('td', { class: 'note', title: row.note || undefined }, row.note),
    );
  }
}

function shareBar(share: number | null): HTMLElement | null {
  if (share === null) return null;
  const bar = el('span', { class: 'share-bar', 'aria-hidden': 'true' });
  bar.style.width = `${Math.max(1, Math.round(share * 60))}px`;
  return bar;
}

function compareRows(key: SortKey, descending: boolean): (a: PanelFileRow, b: PanelFileRow) => number {
  const direction = descending ? -1 : 1;
  const numeric = (value: number | null): number => (value === null ? -Infinity : value);
  return (a, b) => {
    let result: number;
    if (key === 'path') result = a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    else if (key === 'order') result = (a.order ?? Infinity) - (b.order ?? Infinity) || (a.path < b.path ? -1 : 1);
    else result = numeric(key === 'tokens' ? a.tokens : a.share) - numeric(key === 'tokens' ? b.tokens : b.share);
    return (Number.isNaN(result) ? 0 : result) * direction;
  };
}
