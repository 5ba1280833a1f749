import { isModelpoolError } from "@modelpool/core";
import { ExitCode } from "./exit-codes.js";
import { MissingRegistryError } from "./missing-registry-error.js";
import { UsageError } from "./usage-error.js";

/** The exit code of a failed command, from the one table: every command ends through here. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.USAGE;
  if (error instanceof MissingRegistryError) return ExitCode.REGISTRY;
  if (isModelpoolError(error)) {
    // A request or options modelpool refused came from the command line; everything else it throws
    // on purpose here is about the registry (corrupt, too new, unsafe permissions, lock timeout).
    return error.code === "INVALID_REQUEST" || error.code === "INVALID_OPTIONS" ? ExitCode.USAGE : ExitCode.REGISTRY;
  }
  return ExitCode.UNEXPECTED;
}
