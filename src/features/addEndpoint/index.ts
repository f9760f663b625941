/** The "Add Streaming Endpoint" feature: one command, answered by prompts or by its options argument. */
import * as vscode from 'vscode';
import type { Feature } from '../../extension';
import { addStreamingEndpoint } from './command';
import { parseAddEndpointOptions } from './options';

export const registerAddEndpoint: Feature = (_context, logger) => [
  vscode.commands.registerCommand('catalyst.addStreamingEndpoint', async (argument?: unknown) => {
    try {
      return await addStreamingEndpoint(parseAddEndpointOptions(argument), logger);
    } catch (error) {
      logger.error('Add Streaming Endpoint failed', error);
      void vscode.window.showErrorMessage(vscode.l10n.t('Add Streaming Endpoint failed: {0}', error instanceof Error ? error.message : String(error)));
      return { status: 'refused', message: String(error) };
    }
  }),
];
