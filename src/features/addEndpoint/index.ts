/** The "Add Streaming Endpoint" feature: one command, answered by prompts or by its options argument. */
import * as vscode from 'vscode';
import { registerCommand } from '../shared/command';
import type { Feature } from '../shared/feature';
import { addStreamingEndpoint, type AddEndpointResult } from './command';
import { parseAddEndpointOptions } from './options';

export const addEndpointFeature: Feature = {
  name: 'Add Streaming Endpoint',
  register: (_context, { logger }) => [
    registerCommand(
      {
        id: 'catalyst.addStreamingEndpoint',
        title: vscode.l10n.t('Add Streaming Endpoint'),
        run: (argument?: unknown) => addStreamingEndpoint(parseAddEndpointOptions(argument), logger),
        onError: (message): AddEndpointResult => ({ status: 'refused', reason: 'failed', message }),
      },
      logger,
    ),
  ],
};
