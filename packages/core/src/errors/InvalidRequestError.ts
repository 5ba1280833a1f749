import type { z } from "zod";
import { describeIssues, firstIssuePath } from "./describe-issues.js";
import { ModelpoolError } from "./ModelpoolError.js";

/** A `getOrSpawn`/`explain` request that does not match `WorkerRequestSchema`. Nothing was spawned. */
export class InvalidRequestError extends ModelpoolError {
  override name = "InvalidRequestError" as const;
  /** Dotted path of the first offending field, e.g. `fingerprint.resolvedModel`. */
  readonly field: string;
  readonly issues: readonly z.core.$ZodIssue[];

  constructor(issues: readonly z.core.$ZodIssue[]) {
    const field = firstIssuePath(issues);
    super("INVALID_REQUEST", `invalid worker request: ${describeIssues(issues)}`);
    this.field = field;
    this.issues = issues;
  }
}

export function isInvalidRequestError(value: unknown): value is InvalidRequestError {
  return value instanceof InvalidRequestError;
}
