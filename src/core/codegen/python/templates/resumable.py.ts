/**
 * The generated Python module `resumable.py`: resumable SSE streams (ids `<stream-id>:<seq>`, replay from
 * `Last-Event-ID`, a producer task decoupled from the connection) on Redis Streams or in process.
 *
 * Its own file beside the streaming module, written only by `add-endpoint --resumable`: projects without
 * resumable routes never get it, and the streaming module (owned by the protocol encoders) stays as it is.
 * The Python is the real file `../files/resumable.py` (linted by `npm run lint:python` like streaming.py);
 * the one templated part is the line that imports the streaming module, which depends on where that module
 * is (`.streaming` inside a package, `streaming` beside a top-level script). Pure and deterministic.
 */
import { isPythonImportName } from '../../escape';
import { CATALYST_VERSION } from '../../../version';
import resumablePy from '../files/resumable.py';
import { withGeneratedHeader } from '../generatedHeader';

/** Public names of the generated module, for code that imports from it. */
export const RESUMABLE_MODULE_EXPORTS = ['ResumableStreamResponse', 'resumable_response', 'default_store', 'StreamStore'] as const;

/** The line of files/resumable.py that imports the streaming module, as it stands in the file. */
const STREAMING_IMPORT_LINE = 'from .streaming import DEFAULT_PING_INTERVAL, EventStreamResponse, format_sse\n';

export interface ResumableModuleOptions {
  /** The module name resumable.py imports the streaming module by (`.streaming`, `streaming`, `.sse`). */
  readonly streamingImport: string;
}

/** Returns the text of `resumable.py` (LF line endings). */
export async function renderResumableModule(options: ResumableModuleOptions): Promise<string> {
  if (!isPythonImportName(options.streamingImport)) {
    throw new RangeError(`not a Python module name: ${JSON.stringify(options.streamingImport)}`);
  }
  const source = resumablePy.replace(/\r\n/g, '\n');
  const at = source.indexOf(`\n${STREAMING_IMPORT_LINE}`);
  if (at < 0 || source.indexOf(`\n${STREAMING_IMPORT_LINE}`, at + 1) >= 0) {
    throw new Error(`files/resumable.py must contain the line ${JSON.stringify(STREAMING_IMPORT_LINE)} exactly once`);
  }
  const body = source.replace(`\n${STREAMING_IMPORT_LINE}`, `\n${STREAMING_IMPORT_LINE.replace('.streaming', options.streamingImport)}`);
  return withGeneratedHeader(body, { generator: 'Catalyst Streaming', version: CATALYST_VERSION });
}
