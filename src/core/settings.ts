/**
 * Every `catalyst.*` setting the extension reads, with its type and its default, in one table: the raw value
 * VS Code hands over is checked here (a hand-edited settings.json may hold anything) and falls back to the
 * default declared in package.json. Pure (no `vscode`): the editor's shared/config.ts reads the values, tests feed
 * them directly.
 */
import { DEFAULT_MAX_ANSWER_SECONDS } from './codegen/python/templates/route.py';
import { DEFAULT_ROUTE } from './defaults';
import { DEFAULT_PROTOCOL, STREAM_PROTOCOLS, type StreamProtocol } from './plan/protocol';

export type DiagnosticSeveritySetting = 'Error' | 'Warning' | 'Information' | 'Hint' | 'Off';
export type FixStyleSetting = 'rewrite' | 'sibling';
export type HttpMethodSetting = 'GET' | 'POST';

export interface Settings {
  /** `catalyst.streaming.moduleLocation`: where the streaming module goes; undefined when unset. */
  readonly moduleLocation: string | undefined;
  /** `catalyst.streaming.defaultRoute` */
  readonly defaultRoute: string;
  /** `catalyst.streaming.defaultMethod` */
  readonly defaultMethod: HttpMethodSetting;
  /** `catalyst.streaming.defaultProtocol` */
  readonly defaultProtocol: StreamProtocol;
  /** `catalyst.streaming.maxAnswerDuration`: seconds an answer may run (its route's max_duration). */
  readonly maxAnswerDuration: number;
  /** `catalyst.llm.diagnosticSeverity` */
  readonly diagnosticSeverity: DiagnosticSeveritySetting;
  /** `catalyst.llm.fixStyle` */
  readonly fixStyle: FixStyleSetting;
  /** `catalyst.python.path`: the interpreter to run; undefined when unset. */
  readonly pythonPath: string | undefined;
  /** `catalyst.preview.sendOnOpen`: the preview starts the request when opened on a route. */
  readonly previewSendOnOpen: boolean;
}

/** The full key of each setting, for `getConfiguration().get` and `affectsConfiguration`. */
export const SETTING_KEYS: { readonly [K in keyof Settings]: string } = {
  moduleLocation: 'catalyst.streaming.moduleLocation',
  defaultRoute: 'catalyst.streaming.defaultRoute',
  defaultMethod: 'catalyst.streaming.defaultMethod',
  defaultProtocol: 'catalyst.streaming.defaultProtocol',
  maxAnswerDuration: 'catalyst.streaming.maxAnswerDuration',
  diagnosticSeverity: 'catalyst.llm.diagnosticSeverity',
  fixStyle: 'catalyst.llm.fixStyle',
  pythonPath: 'catalyst.python.path',
  previewSendOnOpen: 'catalyst.preview.sendOnOpen',
};

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** A non-empty trimmed string, else undefined. */
function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A finite number of at least `minimum`, else the fallback. */
function numberAtLeast(value: unknown, minimum: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? value : fallback;
}

/** The settings from `read(fullKey)` (the raw configured values), each checked and defaulted. */
export function readSettings(read: (key: string) => unknown): Settings {
  const route = optionalText(read(SETTING_KEYS.defaultRoute));
  return {
    moduleLocation: optionalText(read(SETTING_KEYS.moduleLocation)),
    defaultRoute: route ?? DEFAULT_ROUTE,
    defaultMethod: oneOf(read(SETTING_KEYS.defaultMethod), ['GET', 'POST'], 'GET'),
    defaultProtocol: oneOf(read(SETTING_KEYS.defaultProtocol), STREAM_PROTOCOLS, DEFAULT_PROTOCOL),
    maxAnswerDuration: numberAtLeast(read(SETTING_KEYS.maxAnswerDuration), 1, DEFAULT_MAX_ANSWER_SECONDS),
    diagnosticSeverity: oneOf(read(SETTING_KEYS.diagnosticSeverity), ['Error', 'Warning', 'Information', 'Hint', 'Off'], 'Information'),
    fixStyle: oneOf(read(SETTING_KEYS.fixStyle), ['rewrite', 'sibling'], 'rewrite'),
    pythonPath: optionalText(read(SETTING_KEYS.pythonPath)),
    previewSendOnOpen: read(SETTING_KEYS.previewSendOnOpen) !== false,
  };
}
