import * as vscode from 'vscode';
import { parseSettings, settingsSection } from '../core/settings';
import type { ParsedSettings, Settings } from '../core/settings';

/**
 * The one place that reads `contextBudget.*` from VS Code. Invalid values fall back (core decides how)
 * and each distinct problem is shown once, so a bad settings.json never breaks the extension or nags.
 */
export class SettingsReader implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<Settings>();
  readonly onDidChange = this._onDidChange.event;
  private readonly listener: vscode.Disposable;
  private readonly shownProblems = new Set<string>();
  private parsed: ParsedSettings;

  constructor(private readonly showProblem: (message: string) => void) {
    this.parsed = this.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(settingsSection)) return;
      this.parsed = this.read();
      this._onDidChange.fire(this.parsed.settings);
    });
  }

  get current(): Settings {
    return this.parsed.settings;
  }

  /**
   * Writes a choice to user settings, so picking a model never creates or edits a file in the user's
   * repository; only where the workspace already sets the key is the workspace value updated (else it would shadow the choice).
   */
  async update<K extends keyof Settings>(key: K, value: Settings[K]): Promise<void> {
    const configuration = vscode.workspace.getConfiguration(settingsSection);
    const inspected = configuration.inspect(key);
    const target =
      inspected?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspected?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await configuration.update(key, value, target);
  }

  dispose(): void {
    this.listener.dispose();
    this._onDidChange.dispose();
  }

  private read(): ParsedSettings {
    const configuration = vscode.workspace.getConfiguration(settingsSection);
    const parsed = parseSettings((key) => configuration.get(key));
    for (const problem of parsed.problems) {
      if (this.shownProblems.has(problem)) continue;
      this.shownProblems.add(problem);
      this.showProblem(problem);
    }
    return parsed;
  }
}
