import type { z } from "zod";
import type { ValidationIssueLike } from "../errors/validation-issue.js";

/**
 * How every schema of modelpool parses: without zod's compiled fast path. Compiling an object parser
 * costs more than the few parses a decision makes (it tripled a new session's first decision), and a
 * per-parse setting leaves the application's own zod configuration alone.
 */
export const PARSE_CONTEXT = Object.freeze({ jitless: true });

type SafeParser<R> = { safeParse(value: unknown, context: typeof PARSE_CONTEXT): R };

/** `schema.safeParse(value)` as every schema of modelpool parses (see PARSE_CONTEXT). */
export function safeParse<R extends { success: boolean }>(schema: SafeParser<R>, value: unknown): R {
  return schema.safeParse(value, PARSE_CONTEXT);
}

/** Parses `value` with `schema`, turning a zod failure into the typed error `toError` builds from its issues. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  toError: (issues: readonly ValidationIssueLike[]) => Error,
): z.output<S> {
  const result = safeParse<z.ZodSafeParseResult<z.output<S>>>(schema, value);
  if (!result.success) throw toError(result.error.issues);
  return result.data;
}
