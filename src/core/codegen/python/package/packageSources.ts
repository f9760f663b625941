/**
 * The generated package's Python files, bundled as text (esbuild's `.py` text loader; under mocha
 * scripts/register-py-text.cjs), keyed by their path inside the package folder. Static imports, so the
 * bundle carries exactly these files.
 */
import initPy from '../files/package/__init__.py';
import eventsPy from '../files/package/events.py';
import finishPy from '../files/package/finish.py';
import lifecyclePy from '../files/package/lifecycle.py';
import partialPy from '../files/package/partial.py';
import partsPy from '../files/package/parts.py';
import protocolsInitPy from '../files/package/protocols/__init__.py';
import protocolsCommonPy from '../files/package/protocols/_common.py';
import aiSdkPy from '../files/package/protocols/ai_sdk.py';
import openaiChatPy from '../files/package/protocols/openai_chat.py';
import providersInitPy from '../files/package/providers/__init__.py';
import providersAdapterPy from '../files/package/providers/_adapter.py';
import anthropicPy from '../files/package/providers/anthropic.py';
import langchainPy from '../files/package/providers/langchain.py';
import openaiPy from '../files/package/providers/openai.py';
import requestBodyPy from '../files/package/request_body.py';
import responsePy from '../files/package/response.py';
import resumableInitPy from '../files/package/resumable/__init__.py';
import resumableErrorsPy from '../files/package/resumable/_errors.py';
import resumableKeysPy from '../files/package/resumable/_keys.py';
import resumableLimitsPy from '../files/package/resumable/_limits.py';
import resumableLocalPy from '../files/package/resumable/_local.py';
import resumableProducerPy from '../files/package/resumable/_producer.py';
import resumableRedisRoundsPy from '../files/package/resumable/_redis_rounds.py';
import resumableRedisClientPy from '../files/package/resumable/_redis_client.py';
import resumableRedisEntriesPy from '../files/package/resumable/_redis_entries.py';
import resumableRedisWakePy from '../files/package/resumable/_redis_wake.py';
import resumableRunnerPy from '../files/package/resumable/_runner.py';
import resumableRedisStorePy from '../files/package/resumable/redis_store.py';
import resumableResponsePy from '../files/package/resumable/response.py';
import resumableStorePy from '../files/package/resumable/store.py';
import resumableStoppingPy from '../files/package/resumable/stopping.py';
import telemetryPy from '../files/package/telemetry.py';
import tokensPy from '../files/package/tokens.py';

/** Path inside the package (`tokens.py`, `protocols/ai_sdk.py`) -> the file's text, LF line endings. */
export const PACKAGE_SOURCES: ReadonlyMap<string, string> = new Map(
  (
    [
      ['__init__.py', initPy],
      ['events.py', eventsPy],
      ['finish.py', finishPy],
      ['lifecycle.py', lifecyclePy],
      ['parts.py', partsPy],
      ['response.py', responsePy],
      ['tokens.py', tokensPy],
      ['partial.py', partialPy],
      ['request_body.py', requestBodyPy],
      ['telemetry.py', telemetryPy],
      ['protocols/__init__.py', protocolsInitPy],
      ['protocols/_common.py', protocolsCommonPy],
      ['protocols/ai_sdk.py', aiSdkPy],
      ['protocols/openai_chat.py', openaiChatPy],
      ['providers/__init__.py', providersInitPy],
      ['providers/_adapter.py', providersAdapterPy],
      ['providers/anthropic.py', anthropicPy],
      ['providers/openai.py', openaiPy],
      ['providers/langchain.py', langchainPy],
      ['resumable/__init__.py', resumableInitPy],
      ['resumable/_errors.py', resumableErrorsPy],
      ['resumable/_keys.py', resumableKeysPy],
      ['resumable/_limits.py', resumableLimitsPy],
      ['resumable/_local.py', resumableLocalPy],
      ['resumable/_producer.py', resumableProducerPy],
      ['resumable/_runner.py', resumableRunnerPy],
      ['resumable/_redis_rounds.py', resumableRedisRoundsPy],
      ['resumable/_redis_client.py', resumableRedisClientPy],
      ['resumable/_redis_entries.py', resumableRedisEntriesPy],
      ['resumable/_redis_wake.py', resumableRedisWakePy],
      ['resumable/store.py', resumableStorePy],
      ['resumable/redis_store.py', resumableRedisStorePy],
      ['resumable/response.py', resumableResponsePy],
      ['resumable/stopping.py', resumableStoppingPy],
    ] as const
  ).map(([file, text]) => [file, text.replace(/\r\n/g, '\n')]),
);

/** `protocols.ai_sdk` -> `protocols/ai_sdk.py`; a package (`protocols`, or `''` for the root) -> its `__init__.py`. */
export function moduleFile(module: string, sources: ReadonlyMap<string, string> = PACKAGE_SOURCES): string | undefined {
  const base = module === '' ? '' : module.split('.').join('/');
  for (const candidate of [base === '' ? undefined : `${base}.py`, base === '' ? '__init__.py' : `${base}/__init__.py`]) {
    if (candidate !== undefined && sources.has(candidate)) {
      return candidate;
    }
  }
  return undefined;
}
