/**
 * Hand-written checks that stand in front of a zod schema on the decision path. A check answers, on the
 * schema's behalf, only where it is certain: with the schema's exact output (a fresh value, keys in the
 * schema's order, defaults filled in), with `REJECT` (the schema surely refuses the value), or with
 * `undefined` — not sure, ask the schema. Anything unusual (a class instance, a string whose length zod
 * would have to count in code points, a fingerprint attribute of an odd kind) is left to zod, which
 * stays the one definition of what is valid; `hand-checks.test.ts` runs each check and its schema side
 * by side on many valid and hostile values.
 *
 * Why at all: zod builds a schema's internals on its first parse and V8 compiles zod's parser on its
 * first call, and in a brand-new process that was most of what validating a request, a record and a
 * lock file cost in the first decision. These checks are small and plain.
 */
export const REJECT: unique symbol = Symbol("rejected by a hand-written check");

/** The schema's output for the value, `REJECT`, or `undefined` (not sure). */
export type Checked<T> = T | typeof REJECT | undefined;
export type HandCheck<T> = (value: unknown) => Checked<T>;

/** Not sure: the schema decides. */
const ASK = undefined;

/**
 * A plain data object (what JSON.parse and object literals make) without an own `__proto__` key: zod
 * reads keys through the prototype chain and treats `__proto__` specially, so anything else is its call.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(value, "__proto__");
}

/**
 * `z.string().min(min).max(max)`, with an optional `.regex(pattern)`. Zod measures code points, and a
 * string has at most as many code points as UTF-16 units and at least half as many: in between, ask.
 */
export function string(min: number, max: number, pattern?: RegExp): HandCheck<string> {
  return (value) => {
    if (typeof value !== "string") return REJECT;
    const units = value.length;
    if (units < min || units > 2 * max) return REJECT;
    // Fewer code points than units only when surrogate pairs are there: sure only outside that doubt.
    if (units > max || units < 2 * min - 1) return ASK;
    if (pattern && !pattern.test(value)) return REJECT;
    return value;
  };
}

/** `z.number()` with optional bounds (`gt` for `.positive()`), and `.int()`: a safe integer. */
export function number(bounds: { int?: boolean; gt?: number; min?: number; max?: number } = {}): HandCheck<number> {
  const { int = false, gt, min, max } = bounds;
  return (value) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return REJECT;
    if (int && !Number.isSafeInteger(value)) return REJECT;
    if ((gt !== undefined && !(value > gt)) || (min !== undefined && value < min)) return REJECT;
    if (max !== undefined && value > max) return REJECT;
    return value;
  };
}

export const boolean: HandCheck<boolean> = (value) => (typeof value === "boolean" ? value : REJECT);

/** `z.literal(x)` and `z.enum([...])`. */
export function oneOf<T extends string>(...values: readonly T[]): HandCheck<T> {
  const set = new Set<unknown>(values);
  return (value) => (set.has(value) ? (value as T) : REJECT);
}

/** `z.array(element).max(max)`: a fresh array of the element outputs. */
export function array<T>(element: HandCheck<T>, max: number): HandCheck<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return REJECT;
    if (Object.getPrototypeOf(value) !== Array.prototype) return ASK;
    if (value.length > max) return REJECT;
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) {
      const checked = element(value[i]);
      if (checked === REJECT) return REJECT;
      if (checked === ASK) return ASK;
      out.push(checked);
    }
    return out;
  };
}

/** How a field may be absent: never, freely (`.optional()`), or filled in (`.default(x)`: a fresh value each time, as zod's). */
export type Presence = "required" | "optional" | { readonly default: () => unknown };
export type Field = readonly [key: string, check: HandCheck<unknown>, presence: Presence];

/**
 * `z.object` (`strip`: unknown keys dropped), `z.looseObject` (`keep`) and `z.strictObject` (`refuse`),
 * as zod builds its output: the shape's keys in order (an optional key present as `undefined` is kept,
 * an absent one left out), then the unknown keys that are kept.
 */
export function object<T>(fields: readonly Field[], unknownKeys: "strip" | "keep" | "refuse"): HandCheck<T> {
  const known = new Set(fields.map(([key]) => key));
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return REJECT;
    if (!isPlainObject(input)) return ASK;
    const out: Record<string, unknown> = {};
    for (const [key, check, presence] of fields) {
      const value = input[key];
      if (value === undefined) {
        if (presence === "required") return REJECT;
        if (presence !== "optional") out[key] = presence.default();
        else if (key in input) out[key] = undefined;
        continue;
      }
      const checked = check(value);
      if (checked === REJECT || checked === ASK) return checked;
      out[key] = checked;
    }
    if (unknownKeys !== "strip") {
      for (const key in input) {
        if (known.has(key)) continue;
        if (unknownKeys === "refuse") return REJECT;
        out[key] = input[key];
      }
    }
    return out as T;
  };
}
