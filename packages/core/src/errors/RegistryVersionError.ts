import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/** The registry was written by a newer modelpool. It stays readable where possible, but this version never writes it. */
export class RegistryVersionError extends ModelpoolError {
  override name = "RegistryVersionError" as const;
  readonly path: string;
  readonly version: number;
  readonly supportedVersion: number;

  constructor(path: string, version: number, supportedVersion: number) {
    super(
      "REGISTRY_TOO_NEW",
      `registry ${path} has version ${version}, newer than the ${supportedVersion} this modelpool writes; it is read-only here (upgrade modelpool to change it)`,
    );
    this.path = path;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }
}

export function isRegistryVersionError(value: unknown): value is RegistryVersionError {
  return hasModelpoolCode(value, "REGISTRY_TOO_NEW");
}
