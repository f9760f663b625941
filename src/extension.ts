/**
 * Entry point: activate() registers each feature from the table below and nothing else.
 * Every feature lives in its own folder under src/features/ and returns its disposables.
 */
import * as vscode from 'vscode';
import { addEndpointFeature } from './features/addEndpoint';
import { devServerFeature } from './features/devServer';
import { llmQuickFixFeature } from './features/llmQuickFix';
import { previewFeature } from './features/preview';
import { requestsFeature } from './features/requests';
import { snippetsFeature } from './features/snippets';
import type { Feature } from './features/shared/feature';
import { createLogger } from './features/shared/logger';
import { SyntaxTrees } from './features/shared/syntaxTrees';

const features: readonly Feature[] = [addEndpointFeature, llmQuickFixFeature, previewFeature, snippetsFeature, devServerFeature, requestsFeature];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const logger = createLogger();
  context.subscriptions.push(logger);
  const trees = new SyntaxTrees();
  context.subscriptions.push(trees);
  for (const { name, register } of features) {
    try {
      context.subscriptions.push(...(await register(context, { logger, trees })));
    } catch (error) {
      logger.error(`Activating "${name}" failed`, error);
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Catalyst Streaming: {0} could not start: {1}', name, error instanceof Error ? error.message : String(error)),
      );
    }
  }
  logger.info(`Catalyst Streaming activated (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI)`);
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions and disposed by VS Code.
}
