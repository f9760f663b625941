/**
 * The planner's questions (core/plan/addEndpointQuestions) answered with a QuickPick or an InputBox. The
 * command's options argument answers them up front instead, so tests and other commands need no UI.
 */
import * as vscode from 'vscode';
import type { AddEndpointPrompts } from '../../core/plan/addEndpointQuestions';

export const quickInputPrompts: AddEndpointPrompts = {
  async pick(_question, title, choices) {
    const items = choices.map((choice) => ({
      label: choice.label,
      ...(choice.description !== undefined && { description: choice.description }),
      value: choice.value,
    }));
    return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t(title), matchOnDescription: true, ignoreFocusOut: true }))?.value;
  },
  input(_question, title, initial, validate) {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: vscode.l10n.t(title),
        value: initial,
        valueSelection: [initial.startsWith('/') ? 1 : 0, initial.length],
        validateInput: validate,
        ignoreFocusOut: true,
      }),
    );
  },
};
