import { hasModelpoolCode, ModelpoolError } from "./ModelpoolError.js";

/** A plugin's `apply` was handed something that is not a WorkerPool (a common slip: `apply(pool.hooks)`). */
export class NotAPoolError extends ModelpoolError {
  override name = "NotAPoolError" as const;
  readonly plugin: string;

  constructor(plugin: string, received: unknown) {
    const what =
      received === null ? "null" : typeof received === "object" ? "an object without hooks.canReuse" : typeof received;
    super("NOT_A_POOL", `${plugin}.apply() needs a WorkerPool (new WorkerPool({ ... })), got ${what}`);
    this.plugin = plugin;
  }
}

export function isNotAPoolError(value: unknown): value is NotAPoolError {
  return hasModelpoolCode(value, "NOT_A_POOL");
}
