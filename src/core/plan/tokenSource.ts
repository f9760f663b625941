/** The token source a user picks for a new endpoint, as typed on the command line or chosen in a QuickPick. */
import { SDK_PROVIDERS, type SdkProvider } from '../codegen/python/templates/tokenSources.py';

export type TokenSourceChoice =
  | { readonly kind: 'demo' }
  | { readonly kind: 'sdk'; readonly provider: SdkProvider }
  /** An async generator function of the user's, by name (found in the target module, else the workspace). */
  | { readonly kind: 'function'; readonly name: string };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `demo`, `anthropic`, `openai`, `groq`, or a Python function name; undefined for anything else. */
export function parseTokenSource(text: string): TokenSourceChoice | undefined {
  if (text === 'demo') {
    return { kind: 'demo' };
  }
  if ((SDK_PROVIDERS as readonly string[]).includes(text)) {
    return { kind: 'sdk', provider: text as SdkProvider };
  }
  return IDENTIFIER.test(text) ? { kind: 'function', name: text } : undefined;
}

export function formatTokenSource(source: TokenSourceChoice): string {
  return source.kind === 'demo' ? 'demo' : source.kind === 'sdk' ? source.provider : source.name;
}
