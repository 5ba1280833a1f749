import type { z } from "zod";
import { parseBoundedJson } from "./bounded-json.js";

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A value read from Redis, bounded, parsed and validated by `schema`: never trusted as it comes. */
export function decodeValue<S extends z.ZodType>(schema: S, raw: unknown): Decoded<z.output<S>> {
  if (typeof raw !== "string") return { ok: false, reason: "not a string value" };
  const parsed = parseBoundedJson(raw);
  if (!parsed.ok) return parsed;
  const checked = schema.safeParse(parsed.value);
  if (!checked.success) {
    const issues = checked.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
    return { ok: false, reason: `not a valid value (${issues.join("; ")})` };
  }
  return { ok: true, value: checked.data };
}
