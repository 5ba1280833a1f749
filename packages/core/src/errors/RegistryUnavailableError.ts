import { ModelpoolError } from "./ModelpoolError.js";

/** The registry store could not be reached (a fleet store's server down or too slow) within `waitedMs`. */
export class RegistryUnavailableError extends ModelpoolError {
  override name = "RegistryUnavailableError" as const;
  /** Where the store is, without credentials. */
  readonly location: string;
  readonly waitedMs: number;

  constructor(location: string, waitedMs: number, detail: string, options?: { cause?: unknown }) {
    super("REGISTRY_UNAVAILABLE", `registry ${location} is unavailable (waited ${waitedMs} ms): ${detail}`, options);
    this.location = location;
    this.waitedMs = waitedMs;
  }
}

export function isRegistryUnavailableError(value: unknown): value is RegistryUnavailableError {
  return value instanceof RegistryUnavailableError;
}
