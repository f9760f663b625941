/**
 * The generated streaming module running for real: writes `streaming.py` (rendered now, from the template) and
 * the test app `test/fixtures/streaming/app.py` into a temp folder and starts uvicorn on it.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderStreamingModule, type StreamingModuleOptions } from '../../src/core/codegen/python/templates/streaming.py';
import { makeTempDir } from './tempdir';
import { startUvicorn, type RunningServer, type StartUvicornOptions } from './uvicorn';

export const STREAMING_FIXTURES = path.resolve(__dirname, '../fixtures/streaming');

export interface StreamingApp {
  readonly server: RunningServer;
  /** The folder holding streaming.py and app.py. */
  readonly dir: string;
  /** Absolute path of the generated module (what coverage.py measures). */
  readonly modulePath: string;
  stop(): Promise<void>;
}

export interface StartStreamingAppOptions {
  readonly module?: StreamingModuleOptions;
  /** Replace the generated text (to break it on purpose while checking that a test can fail). */
  readonly transformModule?: (text: string) => string;
  readonly coverage?: StartUvicornOptions['coverage'];
  readonly env?: Readonly<Record<string, string>>;
  /** The Python stack to run on (default: the current stack). */
  readonly stack?: StartUvicornOptions['stack'];
}

/** Writes the generated module and the test app into `dir`. */
export async function writeStreamingApp(dir: string, options: Pick<StartStreamingAppOptions, 'module' | 'transformModule'> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const text = await renderStreamingModule(options.module);
  const modulePath = path.join(dir, 'streaming.py');
  await writeFile(modulePath, options.transformModule ? options.transformModule(text) : text);
  await copyFile(path.join(STREAMING_FIXTURES, 'app.py'), path.join(dir, 'app.py'));
  return modulePath;
}

/**
 * Starts the app. With `dir` given the caller owns that folder (e.g. several servers sharing one module file
 * so coverage.py data combines); otherwise a temp folder is created and removed by `stop()`.
 */
export async function startStreamingApp(options: StartStreamingAppOptions & { readonly dir?: string } = {}): Promise<StreamingApp> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await makeTempDir('streaming-app'));
  try {
    const modulePath = await writeStreamingApp(dir, options);
    const server = await startUvicorn({
      cwd: dir,
      app: 'app:app',
      ...(options.env ? { env: options.env } : {}),
      ...(options.stack ? { stack: options.stack } : {}),
      ...(options.coverage ? { coverage: options.coverage } : {}),
    });
    return {
      server,
      dir,
      modulePath,
      stop: async () => {
        await server.stop();
        if (ownsDir) {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    if (ownsDir) {
      await rm(dir, { recursive: true, force: true });
    }
    throw error;
  }
}
