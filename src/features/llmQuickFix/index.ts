/**
 * The LLM quick-fix feature: diagnostics on LLM calls in Python documents and the code actions that make
 * them stream. Both read the same incrementally re-parsed syntax trees.
 */
import * as vscode from 'vscode';
import type { Feature } from '../shared/feature';
import { LlmCodeActions } from './codeActions';
import { LlmDiagnostics } from './diagnostics';

export const llmQuickFixFeature: Feature = {
  name: 'LLM quick fixes',
  register: (_context, { logger, trees }) => {
    const diagnostics = new LlmDiagnostics(logger);
    const actions = vscode.languages.registerCodeActionsProvider({ language: 'python' }, new LlmCodeActions(trees, logger), {
      providedCodeActionKinds: LlmCodeActions.providedCodeActionKinds,
    });
    return [actions, diagnostics];
  },
};
