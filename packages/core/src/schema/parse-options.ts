import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { isStandardSchema, type StandardSchemaV1 } from "./standard-schema.js";

/**
 * A validator written by hand: returns the options (defaults filled in, if it likes) or throws. A thrown
 * error with an `issues` array of `{ path, message }` keeps them; any other error becomes one issue.
 */
export type OptionsValidator<T> = (options: unknown) => T;

/**
 * A plugin's constructor options, validated, or an `InvalidOptionsError` naming `subject` and the field.
 * `validator` is any Standard Schema (a zod 3.24+/4 schema, valibot, arktype... of whichever version the
 * plugin depends on) or a plain function. Validation must be synchronous: constructors cannot wait.
 */
export function parseOptions<S extends StandardSchemaV1>(
  validator: S,
  options: unknown,
  subject: string,
): StandardSchemaV1.InferOutput<S>;
export function parseOptions<T>(validator: OptionsValidator<T>, options: unknown, subject: string): T;
export function parseOptions(
  validator: StandardSchemaV1 | OptionsValidator<unknown>,
  options: unknown,
  subject: string,
): unknown {
  if (isStandardSchema(validator)) {
    const result = validator["~standard"].validate(options);
    if (result instanceof Promise) {
      throw new TypeError(`${subject}: parseOptions needs a synchronous schema (this one validates asynchronously)`);
    }
    if (result.issues) throw new InvalidOptionsError(subject, result.issues);
    return result.value;
  }
  if (typeof validator !== "function") {
    throw new TypeError(`${subject}: parseOptions needs a Standard Schema (e.g. a zod schema) or a validator function`);
  }
  try {
    return validator(options);
  } catch (error) {
    const issues = (error as { issues?: unknown } | null)?.issues;
    throw new InvalidOptionsError(
      subject,
      Array.isArray(issues) ? issues : [{ path: [], message: error instanceof Error ? error.message : String(error) }],
    );
  }
}
