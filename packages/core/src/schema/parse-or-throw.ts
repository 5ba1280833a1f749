import type { z } from "zod";

/** Parses `value` with `schema`, turning a zod failure into the typed error `toError` builds from its issues. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  toError: (issues: readonly z.core.$ZodIssue[]) => Error,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toError(result.error.issues);
  return result.data;
}
