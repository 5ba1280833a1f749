import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/**
 * `not-running`: the backend answered with a pid that is not alive (or, on Linux, whose start time cannot be
 * read). `claim-lost`: the spawn claim went to another holder while the worker started; it was stopped.
 */
export type SpawnFailure = "exited" | "timeout" | "backend-error" | "invalid-result" | "not-running" | "claim-lost";

/** A worker could not be started. Whatever was started has been stopped; the spawn claim is released. */
export class SpawnError extends ModelpoolError {
  override name = "SpawnError" as const;
  readonly workerId: string;
  readonly failure: SpawnFailure;
  readonly exitCode: number | null | undefined;
  readonly signal: string | null | undefined;
  /** The last lines the worker printed, when the backend captured them. */
  readonly output: string | undefined;

  constructor(
    workerId: string,
    failure: SpawnFailure,
    message: string,
    details: { exitCode?: number | null; signal?: string | null; output?: string; cause?: unknown } = {},
  ) {
    super("SPAWN_FAILED", `could not spawn worker "${workerId}": ${message}`, { cause: details.cause });
    this.workerId = workerId;
    this.failure = failure;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.output = details.output;
  }
}

export function isSpawnError(value: unknown): value is SpawnError {
  return hasModelpoolCode(value, "SPAWN_FAILED");
}
