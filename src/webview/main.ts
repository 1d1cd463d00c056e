/**
 * The Context Budget panel in the browser. It renders the host's state snapshots and sends user
 * intents back; it never computes a figure. Components update their own part of the page in place:
 * the summary cards are drawn first, then the rest in the next frame, so a 20,000-file selection
 * shows its numbers at once and the table (virtualised) follows.
 */
import type { HostMessage, PanelState, WebviewMessage } from '../protocol/panelProtocol';
import { Charts } from './components/charts';
import { Confusions } from './components/confusions';
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
const plan = new Plan(send);
const charts = new Charts();
const files = new FileTable(view, send, saveView);
const confusions = new Confusions();

const app = document.getElementById('app') as HTMLElement;
app.replaceChildren(header.element, warnings.element, plan.element, charts.element, files.element, confusions.element);

let pending: PanelState | null = null;
let restScheduled = false;

/** The header and cards now; everything else once they are painted, and only from the latest snapshot. */
function render(state: PanelState): void {
  app.setAttribute('aria-busy', state.counting ? 'true' : 'false');
  document.body.dataset.risk = state.riskLevel;
  if (view.dropTarget !== state.dropPlan.target) {
    view.dropTarget = state.dropPlan.target;
    saveView();
  }
  header.update(state);
  pending = state;
  if (restScheduled) return;
  restScheduled = true;
  requestAnimationFrame(() => {
    setTimeout(() => {
      restScheduled = false;
      const latest = pending;
      if (!latest) return;
      warnings.update(latest);
      plan.update(latest);
      files.update(latest);
      charts.update(latest);
      confusions.update(latest);
      document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? '0') + 1);
    }, 0);
  });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as HostMessage;
  if (message && message.type === 'state' && message.state && message.state.version === 1) render(message.state);
});
send(view.dropTarget ? { type: 'ready', dropTarget: view.dropTarget } : { type: 'ready' });
