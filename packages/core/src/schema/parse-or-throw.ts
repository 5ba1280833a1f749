import type { z } from "zod";
import type { ValidationIssueLike } from "../errors/validation-issue.js";
import { REJECT } from "./hand-check.js";
import { HAND_CHECKS } from "./hand-checks.js";

/**
 * How every schema of modelpool parses: without zod's compiled fast path. Compiling an object parser
 * costs more than the few parses a decision makes (it tripled a new session's first decision), and a
 * per-parse setting leaves the application's own zod configuration alone.
 */
export const PARSE_CONTEXT = Object.freeze({ jitless: true });

type SafeParser<R> = { safeParse(value: unknown, context: typeof PARSE_CONTEXT): R };

/**
 * `schema.safeParse(value)`, answered by the schema's hand-written check when it has one and is sure
 * (hand-checks.ts): zod then runs only for what the check leaves to it, and for the issues of a value
 * the check refused (computed when asked for: a caller that only wants to know does not pay for them).
 */
export function safeParse<R extends { success: boolean }>(schema: SafeParser<R>, value: unknown): R {
  const checked = HAND_CHECKS.get(schema)?.(value);
  if (checked === undefined) return schema.safeParse(value, PARSE_CONTEXT);
  if (checked !== REJECT) return { success: true, data: checked } as unknown as R;
  return {
    success: false,
    get error() {
      const result = schema.safeParse(value, PARSE_CONTEXT) as { success: boolean; error?: unknown };
      if (result.success) throw new Error("a hand-written check refused a value its schema accepts");
      return result.error;
    },
  } as unknown as R;
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
