import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";
import { LockTimeoutError } from "../errors/LockTimeoutError.js";

export type FileLockOptions = {
  /** Give up (LockTimeoutError) after waiting this long. */
  timeoutMs: number;
  /** A lock not refreshed for this long belongs to a dead holder and is taken over (proper-lockfile's `stale`). */
  staleMs: number;
};

/** Lets the holder ask, just before committing, whether the lock is still its own. */
export type LockGuard = { assertHeld(): void };

// proper-lockfile tracks its locks per process by path and fails a second acquire from the same process
// with ELOCKED, so concurrent callers in one process queue here instead of spinning against each other.
const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the inter-process lock `${path}.lock` (a directory, created atomically by mkdir,
 * whose mtime the holder keeps fresh; proper-lockfile recovers it once a dead holder lets it go stale).
 */
export async function withFileLock<T>(
  path: string,
  options: FileLockOptions,
  fn: (guard: LockGuard) => Promise<T>,
): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => lockAndRun(path, options, fn));
  const tail = run.catch(() => undefined);
  queues.set(path, tail);
  try {
    return await run;
  } finally {
    if (queues.get(path) === tail) queues.delete(path);
  }
}

async function lockAndRun<T>(path: string, options: FileLockOptions, fn: (guard: LockGuard) => Promise<T>) {
  const started = Date.now();
  let lost: Error | undefined;
  let release: () => Promise<void>;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lockfile.lock(path, {
        realpath: false,
        stale: options.staleMs,
        retries: 0,
        onCompromised: (error) => {
          lost = error;
        },
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      const waited = Date.now() - started;
      if (waited >= options.timeoutMs) throw new LockTimeoutError(path, waited);
      // Jittered, growing back-off: many processes contending on one file must not retry in lockstep.
      const ceiling = Math.min(50, 4 + attempt * 2);
      await sleep(Math.min(options.timeoutMs - waited, 1 + Math.random() * ceiling));
    }
  }
  const guard: LockGuard = {
    assertHeld() {
      if (lost) throw new LockTimeoutError(path, Date.now() - started, `the lock was lost (${lost.message})`);
    },
  };
  try {
    return await fn(guard);
  } finally {
    await release().catch(() => undefined);
  }
}
