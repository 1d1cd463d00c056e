import * as vscode from 'vscode';
import { panelViewType } from '../ids';
import type { CostPanel } from './costPanel';

/**
 * The part of the panel the first bundle keeps: its serializer (a panel left open is restored after a
 * reload) and the way to show it. The panel itself (costPanel.ts, with the presenters that build its
 * state) is in the second bundle and is built on the first show or restore (issue 13, target 4).
 */
export class PanelShell implements vscode.Disposable {
  private panel: CostPanel | undefined;
  private readonly serializer: vscode.Disposable;

  constructor(private readonly create: () => CostPanel) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(panelViewType, {
      deserializeWebviewPanel: async (webviewPanel) => this.built().revive(webviewPanel),
    });
  }

  /** Opens the panel, or reveals it where it is. */
  show(): void {
    this.built().show();
  }

  get isOpen(): boolean {
    return this.panel?.isOpen ?? false;
  }

  dispose(): void {
    this.serializer.dispose();
    this.panel?.dispose();
  }

  private built(): CostPanel {
    this.panel ??= this.create();
    return this.panel;
  }
}
