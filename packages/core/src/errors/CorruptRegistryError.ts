import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/**
 * The registry file could not be read as a registry. Its bytes were moved aside, untouched, to
 * `quarantinedPath`; the registry path is free again, so the next operation starts a fresh file.
 */
export class CorruptRegistryError extends ModelpoolError {
  override name = "CorruptRegistryError" as const;
  readonly path: string;
  readonly quarantinedPath: string | undefined;
  readonly detail: string;

  constructor(path: string, detail: string, quarantinedPath: string | undefined, options?: { cause?: unknown }) {
    const where = quarantinedPath ? `; its bytes were moved to ${quarantinedPath}` : "";
    super("REGISTRY_CORRUPT", `registry ${path} is corrupt (${detail})${where}`, options);
    this.path = path;
    this.detail = detail;
    this.quarantinedPath = quarantinedPath;
  }
}

export function isCorruptRegistryError(value: unknown): value is CorruptRegistryError {
  return hasModelpoolCode(value, "REGISTRY_CORRUPT");
}
