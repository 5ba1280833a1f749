import { readFile } from "node:fs/promises";
import { UsageError } from "./usage-error.js";

/** One `--policy`: the module to load and the options to construct its plugin classes with, if any. */
export type PolicyRequest = { readonly specifier: string; readonly options?: Record<string, unknown> };

/** `name={...}`: a module name or path, then `=` and a JSON object (a path may hold `=`, not `={`). */
const WITH_OPTIONS = /^(?<specifier>.+?)=(?<json>\{[\s\S]*)$/;

/**
 * The `--policy` words with their options: inline (`family='{"range":"~"}'`) or from the `--policy-options`
 * file, an object keyed by the `--policy` words as written. Options for a policy not given, or given both
 * ways, are refused: a typo there would otherwise be a policy silently run with its defaults.
 */
export async function policyRequests(words: readonly string[], optionsFile?: string): Promise<PolicyRequest[]> {
  const requests = words.map(inlineRequest);
  if (optionsFile === undefined) return requests;
  const byPolicy = await readOptionsFile(optionsFile);
  for (const key of Object.keys(byPolicy)) {
    const request = requests.find((r) => r.specifier === key);
    if (request === undefined) {
      throw new UsageError(
        `--policy-options ${optionsFile} gives options for ${JSON.stringify(key)}, which no --policy names (given: ${requests.map((r) => r.specifier).join(", ") || "none"})`,
        "explain",
      );
    }
    if (request.options !== undefined) {
      throw new UsageError(
        `policy "${key}" has options both inline and in --policy-options: give them once`,
        "explain",
      );
    }
  }
  return requests.map((request) => {
    const options = byPolicy[request.specifier];
    return options === undefined
      ? request
      : { ...request, options: asObject(options, `--policy-options ${optionsFile} "${request.specifier}"`) };
  });
}

function inlineRequest(word: string): PolicyRequest {
  const match = WITH_OPTIONS.exec(word);
  if (!match?.groups) return { specifier: word };
  const { specifier, json } = match.groups as { specifier: string; json: string };
  let options: unknown;
  try {
    options = JSON.parse(json);
  } catch (error) {
    throw new UsageError(
      `--policy ${specifier}: options ${json} are not valid JSON (${(error as Error).message})`,
      "explain",
    );
  }
  return { specifier, options: asObject(options, `--policy ${specifier}`) };
}

async function readOptionsFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --policy-options ${path}: ${(error as Error).message}`, "explain");
  }
  try {
    return asObject(JSON.parse(text), `--policy-options ${path}`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--policy-options ${path} is not valid JSON (${(error as Error).message})`, "explain");
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${what}: options must be a JSON object; got ${JSON.stringify(value)}`, "explain");
  }
  return value as Record<string, unknown>;
}
