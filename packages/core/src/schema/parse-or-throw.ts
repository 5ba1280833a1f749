import type { z } from "zod";
import type { ValidationIssueLike } from "../errors/validation-issue.js";

/** Parses `value` with `schema`, turning a zod failure into the typed error `toError` builds from its issues. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  toError: (issues: readonly ValidationIssueLike[]) => Error,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toError(result.error.issues);
  return result.data;
}
