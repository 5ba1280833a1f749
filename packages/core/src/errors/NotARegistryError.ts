import { ModelpoolError } from "./ModelpoolError.js";

/** The path given as a registry is something else (a regular file, a device, a directory of other files); it was left as it is. */
export class NotARegistryError extends ModelpoolError {
  override name = "NotARegistryError" as const;
  readonly path: string;
  readonly detail: string;

  constructor(path: string, detail: string) {
    super("NOT_A_REGISTRY", `${path} is not a modelpool registry: ${detail}; nothing was changed`);
    this.path = path;
    this.detail = detail;
  }
}

export function isNotARegistryError(value: unknown): value is NotARegistryError {
  return value instanceof NotARegistryError;
}
