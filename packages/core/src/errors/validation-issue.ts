/**
 * One problem found while validating input, as plain data: which field (`path`, e.g.
 * `["fingerprint", "resolvedModel"]`) and what is wrong with it. Errors expose these rather than a
 * validator's own issue objects, so code handling them does not depend on which zod (or other
 * validator) version produced them.
 */
export type ValidationIssue = {
  readonly path: readonly (string | number)[];
  readonly message: string;
};

/** What validators report: zod issues, Standard Schema issues (whose path segments may be `{ key }`). */
export type ValidationIssueLike = {
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
  readonly message: string;
};

/** Copies issues into plain data: symbols in a path become strings, nothing of the validator is kept. */
export function toValidationIssues(issues: readonly ValidationIssueLike[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => {
      const key = typeof segment === "object" && segment !== null ? segment.key : segment;
      return typeof key === "number" ? key : String(key);
    }),
    message: issue.message,
  }));
}
