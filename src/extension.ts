/**
 * Entry point: activate() registers each feature from the table below and nothing else.
 * Every feature lives in its own folder under src/features/ and returns its disposables.
 */
import * as vscode from 'vscode';
import { registerAddEndpoint } from './features/addEndpoint';
import { registerDevServer } from './features/devServer';
import { registerLlmQuickFix } from './features/llmQuickFix';
import { registerPreview } from './features/preview';
import { createLogger, type Logger } from './features/shared/logger';

/** A feature registers its commands/providers and returns everything it created, for disposal on deactivate. */
export type Feature = (context: vscode.ExtensionContext, logger: Logger) => vscode.Disposable[] | Promise<vscode.Disposable[]>;

const features: ReadonlyArray<readonly [name: string, register: Feature]> = [
  ['Add Streaming Endpoint', registerAddEndpoint],
  ['LLM quick fixes', registerLlmQuickFix],
  ['Stream Preview', registerPreview],
  ['Dev server', registerDevServer],
];

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const logger = createLogger();
  context.subscriptions.push(logger);
  for (const [name, register] of features) {
    try {
      context.subscriptions.push(...(await register(context, logger)));
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
