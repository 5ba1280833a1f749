import type { z } from "zod";

export function firstIssuePath(issues: readonly z.core.$ZodIssue[]): string {
  return issues[0] ? formatPath(issues[0].path) : "";
}

/** One line per issue, each naming its field, so the message alone says what to fix. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${formatPath(issue.path) || "(root)"}: ${issue.message}`).join("; ");
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : String(part)))
    .join(".")
    .replace(/\.\[/g, "[");
}
