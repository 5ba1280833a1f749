import { toValidationIssues, type ValidationIssueLike } from "./validation-issue.js";

export function firstIssuePath(issues: readonly ValidationIssueLike[]): string {
  const [first] = toValidationIssues(issues.slice(0, 1));
  return first ? formatPath(first.path) : "";
}

/** One line per issue, each naming its field, so the message alone says what to fix. */
export function describeIssues(issues: readonly ValidationIssueLike[]): string {
  return toValidationIssues(issues)
    .map((issue) => `${formatPath(issue.path) || "(root)"}: ${issue.message}`)
    .join("; ");
}

function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : part))
    .join(".")
    .replace(/\.\[/g, "[");
}
