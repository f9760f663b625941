/**
 * One lifetime pattern for everything long-lived in the shell (after VS Code markdown's `src/util/dispose.ts`):
 * an object registers what it owns with `_register` and `dispose()` releases all of it once, in reverse order
 * of registration. Disposing twice is a no-op; anything registered after disposal is released at once.
 * Structural (`{ dispose(): void }`), so this file needs no `vscode` and is unit-tested in plain Node.
 */
export interface IDisposable {
  dispose(): void;
}

/** Disposes each of `disposables` (last first), even when some throw; rethrows the first error afterwards. */
export function disposeAll(disposables: IDisposable[]): void {
  let first: unknown;
  let failed = false;
  for (const disposable of disposables.splice(0).reverse()) {
    try {
      disposable.dispose();
    } catch (error) {
      if (!failed) {
        first = error;
        failed = true;
      }
    }
  }
  if (failed) {
    throw first;
  }
}

export abstract class Disposable implements IDisposable {
  // ES private fields: a subclass may name its own members `disposed` or `owned`.
  readonly #owned: IDisposable[] = [];
  #disposed = false;

  get isDisposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) {
      return;
    }
    this.#disposed = true;
    disposeAll(this.#owned);
  }

  /** Takes ownership of `disposable`: it is disposed with this object (at once if this one already is). */
  protected _register<T extends IDisposable>(disposable: T): T {
    if (this.#disposed) {
      disposable.dispose();
    } else {
      this.#owned.push(disposable);
    }
    return disposable;
  }
}
