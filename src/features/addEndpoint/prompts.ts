/**
 * The questions "Add Streaming Endpoint" asks, behind a small interface: the extension answers them with
 * QuickPicks and an InputBox; the command's options argument (tests, other commands) answers them up front.
 * Every method returns undefined when the user cancels.
 */
import * as vscode from 'vscode';
import type { HttpMethod } from '../../core/plan/addEndpoint';
import { validateRoutePath } from '../../core/plan/routePath';
import type { TokenSourceChoice } from '../../core/plan/tokenSource';
import type { EndpointTarget } from '../../core/python/workspace';

export interface AddEndpointPrompts {
  folder(folders: readonly vscode.WorkspaceFolder[]): Promise<vscode.WorkspaceFolder | undefined>;
  /** `targets` come ordered: the ones in the active editor first. */
  target(targets: readonly EndpointTarget[]): Promise<EndpointTarget | undefined>;
  route(proposed: string): Promise<string | undefined>;
  method(proposed: HttpMethod): Promise<HttpMethod | undefined>;
  /** `functions`: async generator functions of the target module that could supply tokens. */
  source(functions: readonly string[]): Promise<TokenSourceChoice | undefined>;
}

export const interactivePrompts: AddEndpointPrompts = {
  async folder(folders) {
    return folders.length === 1 ? folders[0] : vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Workspace folder to add the streaming endpoint to') });
  },

  async target(targets) {
    if (targets.length === 1) {
      return targets[0];
    }
    const picked = await vscode.window.showQuickPick(
      targets.map((target) => ({ label: target.id, description: `${target.file}:${target.line + 1}`, detail: target.description, target })),
      { placeHolder: vscode.l10n.t('App or router to add the streaming endpoint to'), matchOnDescription: true },
    );
    return picked?.target;
  },

  route(proposed) {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: vscode.l10n.t('Streaming endpoint path'),
        value: proposed,
        valueSelection: [1, proposed.length],
        prompt: vscode.l10n.t('The route path, e.g. /chat/stream or /items/{item_id}/stream'),
        validateInput: (value) => validateRoutePath(value),
      }),
    );
  },

  async method(proposed) {
    const items: Array<vscode.QuickPickItem & { method: HttpMethod }> = [
      { label: 'GET', description: vscode.l10n.t('query parameters; EventSource can call it'), method: 'GET' },
      { label: 'POST', description: vscode.l10n.t('a JSON body with the prompt'), method: 'POST' },
    ];
    items.sort((a, b) => (a.method === proposed ? -1 : b.method === proposed ? 1 : 0));
    return (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('HTTP method') }))?.method;
  },

  async source(functions) {
    const items: Array<vscode.QuickPickItem & { source?: TokenSourceChoice }> = [
      { label: vscode.l10n.t('Demo generator'), description: vscode.l10n.t('streams a canned reply; replace it later'), source: { kind: 'demo' } },
      { label: 'Anthropic', description: 'client.messages.create(..., stream=True)', source: { kind: 'sdk', provider: 'anthropic' } },
      { label: 'OpenAI', description: 'client.chat.completions.create(..., stream=True)', source: { kind: 'sdk', provider: 'openai' } },
      { label: 'Groq', description: 'client.chat.completions.create(..., stream=True)', source: { kind: 'sdk', provider: 'groq' } },
    ];
    if (functions.length > 0) {
      items.push({ label: vscode.l10n.t('Your async generators'), kind: vscode.QuickPickItemKind.Separator });
      items.push(...functions.map((name) => ({ label: name, description: vscode.l10n.t('async generator of tokens'), source: { kind: 'function', name } as const })));
    }
    return (await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Where the tokens come from') }))?.source;
  },
};
