/** The registry a command was pointed at does not exist (and no legacy file to read stands in for it): exit 1. */
export class MissingRegistryError extends Error {
  override name = "MissingRegistryError" as const;
  readonly code = "REGISTRY_MISSING" as const;
}
