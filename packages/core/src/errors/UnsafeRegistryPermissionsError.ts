import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/**
 * The registry (or its directory) could be changed by another user, who could then point this
 * user's orchestrator at a process of their choosing. Refused, as ssh refuses such a key file.
 */
export class UnsafeRegistryPermissionsError extends ModelpoolError {
  override name = "UnsafeRegistryPermissionsError" as const;
  readonly path: string;
  readonly mode: number;
  readonly ownerUid: number;

  constructor(path: string, mode: number, ownerUid: number, problem: string) {
    super(
      "REGISTRY_UNSAFE_PERMISSIONS",
      `refusing registry ${path}: ${problem} (mode ${(mode & 0o7777).toString(8).padStart(4, "0")}, owner uid ${ownerUid}); fix with chmod go-w and chown to your user`,
    );
    this.path = path;
    this.mode = mode;
    this.ownerUid = ownerUid;
  }
}

export function isUnsafeRegistryPermissionsError(value: unknown): value is UnsafeRegistryPermissionsError {
  return hasModelpoolCode(value, "REGISTRY_UNSAFE_PERMISSIONS");
}
