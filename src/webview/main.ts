/**
 * The Context Budget panel in the browser. It renders what the host sends and sends user intents
 * back; it never computes a figure. The host sends each update in three parts (summary, details,
 * file rows) and each is drawn as it arrives, so a 20,000-file selection shows its figures at once
 * and the (virtualised) table follows. Components update their part of the page in place.
 */
import type { HostMessage, PanelDetails, PanelFileRow, PanelSummary, WebviewMessage } from '../protocol/panelProtocol';
import { Charts } from './components/charts';
import { Confusions } from './components/confusions';
import { Engine } from './components/engine';
import { FileTable } from './components/fileTable';
import { Header } from './components/header';
import { Plan } from './components/plan';
import { Warnings } from './components/warnings';
import { restoreViewState } from './viewState';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const view = restoreViewState(vscode.getState());
const send = (message: WebviewMessage): void => vscode.postMessage(message);
const saveView = (): void => vscode.setState(view);

const header = new Header(send);
const warnings = new Warnings();
const engine = new Engine();
const plan = new Plan(send);
const charts = new Charts();
const files = new FileTable(view, send, saveView);
const confusions = new Confusions();

const app = document.getElementById('app') as HTMLElement;
app.replaceChildren(header.element, warnings.element, engine.element, plan.element, charts.element, files.element, confusions.element);
for (const section of [warnings.element, engine.element, plan.element, charts.element, files.element]) section.hidden = true;

let empty = true;
let pendingDetails: PanelDetails | null = null;
let pendingFiles: readonly PanelFileRow[] | null = null;
let frameScheduled = false;

function showSummary(summary: PanelSummary): void {
  empty = summary.empty;
  app.setAttribute('aria-busy', summary.counting ? 'true' : 'false');
  document.body.dataset.risk = summary.riskLevel;
  header.update(summary);
  warnings.update(summary);
  engine.update(summary);
  confusions.update(summary);
}

/** Details and rows are drawn in the next frame, from the latest that arrived: the cards paint first. */
function scheduleFrame(): void {
  if (frameScheduled) return;
  frameScheduled = true;
  requestAnimationFrame(() => {
    frameScheduled = false;
    const details = pendingDetails;
    const rows = pendingFiles;
    pendingDetails = null;
    pendingFiles = null;
    if (details) {
      if (view.dropTarget !== details.dropPlan.target) {
        view.dropTarget = details.dropPlan.target;
        saveView();
      }
      plan.update(details, empty);
      charts.update(details, empty);
    }
    if (rows) files.update(rows, empty);
  });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as HostMessage | null;
  if (!message || typeof message !== 'object') return;
  switch (message.type) {
    case 'summary':
      if (message.summary?.version === 1) showSummary(message.summary);
      return;
    case 'details':
      pendingDetails = message.details;
      scheduleFrame();
      return;
    case 'files':
      pendingFiles = message.files;
      scheduleFrame();
      return;
  }
});
send(view.dropTarget ? { type: 'ready', dropTarget: view.dropTarget } : { type: 'ready' });
