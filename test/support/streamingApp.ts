/**
 * The generated streaming package running for real: writes the package into `streaming/` (rendered now, every
 * file) and the test app `test/fixtures/streaming/app.py` beside it into a temp folder and starts uvicorn on it.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PackageOptions } from '../../src/core/codegen/python/package';
import { writeGeneratedStreaming, type WriteStreamingOptions } from './streamingPackage';
import { makeTempDir } from './tempdir';
import { startUvicorn, type RunningServer, type StartUvicornOptions } from './uvicorn';

export const STREAMING_FIXTURES = path.resolve(__dirname, '../fixtures/streaming');

export interface StreamingApp {
  readonly server: RunningServer;
  /** The folder holding the streaming package and app.py. */
  readonly dir: string;
  /** Absolute path of the generated package folder (what coverage.py measures). */
  readonly modulePath: string;
  stop(): Promise<void>;
}

export interface StartStreamingAppOptions {
  readonly module?: PackageOptions;
  /** Replace a generated file's text (to break it on purpose while checking that a test can fail). */
  readonly transformModule?: WriteStreamingOptions['transform'];
  readonly coverage?: StartUvicornOptions['coverage'];
  readonly env?: Readonly<Record<string, string>>;
  /** The Python stack to run on (default: the current stack). */
  readonly stack?: StartUvicornOptions['stack'];
}

/** Writes the generated package and the test app into `dir`; returns the package folder. */
export async function writeStreamingApp(dir: string, options: Pick<StartStreamingAppOptions, 'module' | 'transformModule'> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const modulePath = await writeGeneratedStreaming(dir, {
    ...options.module,
    ...(options.transformModule ? { transform: options.transformModule } : {}),
  });
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
