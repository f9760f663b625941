/** Typed readers of the `catalyst.streaming.*` settings, for a resource (multi-root workspaces may differ per folder). */
import * as vscode from 'vscode';
import { DEFAULT_ROUTE, type HttpMethod } from '../../core/plan/addEndpoint';

export function streamingSettings(scope: vscode.ConfigurationScope) {
  const config = vscode.workspace.getConfiguration('catalyst.streaming', scope);
  const method = config.get<string>('defaultMethod');
  const moduleLocation = config.get<string>('moduleLocation', '').trim();
  return {
    defaultRoute: config.get<string>('defaultRoute', DEFAULT_ROUTE).trim() || DEFAULT_ROUTE,
    defaultMethod: (method === 'POST' ? 'POST' : 'GET') as HttpMethod,
    moduleLocation: moduleLocation === '' ? undefined : moduleLocation,
  };
}
