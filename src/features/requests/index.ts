/**
 * Requests you can keep: "Save Stream Request" (a preview request into a `.http` file, the format REST Client,
 * httpYac and JetBrains' HTTP client share) and a "Preview stream" CodeLens on every request of a `.http` file.
 * The preview's history of recent requests lives with the panel (features/preview, historyStore.ts here).
 */
import * as vscode from 'vscode';
import { registerCommand } from '../shared/command';
import type { Feature } from '../shared/feature';
import { HttpFileCodeLensProvider, PREVIEW_HTTP_REQUEST_COMMAND } from './httpCodeLens';
import { isPreviewHttpRequestOptions, previewHttpRequest } from './previewHttpRequest';
import { isSaveRequestOptions, saveRequest } from './saveRequest';

export const SAVE_REQUEST_COMMAND = 'catalyst.saveStreamRequest';

export const requestsFeature: Feature = {
  name: 'Saved Requests',
  register: (_context, { logger }) => [
    registerCommand(
      {
        id: SAVE_REQUEST_COMMAND,
        title: vscode.l10n.t('Save Stream Request'),
        run: (options?: unknown) => {
          if (!isSaveRequestOptions(options)) {
            throw new Error(vscode.l10n.t('Use the "Save request" button of the Stream Preview.'));
          }
          return saveRequest(options);
        },
        onError: () => undefined,
      },
      logger,
    ),
    registerCommand(
      {
        id: PREVIEW_HTTP_REQUEST_COMMAND,
        title: vscode.l10n.t('Preview Stream of a .http Request'),
        run: (options?: unknown) => {
          if (!isPreviewHttpRequestOptions(options)) {
            throw new Error(vscode.l10n.t('Use the "Preview stream" CodeLens above a request in a .http file.'));
          }
          return previewHttpRequest(options);
        },
        onError: () => undefined,
      },
      logger,
    ),
    vscode.languages.registerCodeLensProvider([{ language: 'http' }, { pattern: '**/*.{http,rest}' }], new HttpFileCodeLensProvider()),
  ],
};
