import { parseOptions } from "@modelpool/core";
import * as z from "zod";
import { NamespaceSchema } from "./options.js";

const FORM = "redis[s]://[user[:password]@]host[:port][/db]/namespace";

/** One URL for a fleet registry (what a command line takes): the last path segment is the namespace. */
export const RegistryUrlSchema = z.string().transform((registryUrl, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: "custom", message: `${message}; expected ${FORM}` });
    return z.NEVER;
  };
  if (!URL.canParse(registryUrl)) return fail("not a URL");
  const parsed = new URL(registryUrl);
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    return fail(`not a Redis URL (${parsed.protocol})`);
  const segments = parsed.pathname.split("/").filter((segment) => segment !== "");
  const namespace = decodeURIComponent(segments.pop() ?? "");
  if (!NamespaceSchema.safeParse(namespace).success) {
    return fail("the last path segment must be the namespace (1-100 of A-Z a-z 0-9 _ . : { } -)");
  }
  if (segments.length > 1 || (segments[0] !== undefined && !/^\d+$/.test(segments[0]))) {
    return fail("only a database number may come before the namespace");
  }
  parsed.pathname = segments[0] === undefined ? "" : `/${segments[0]}`;
  return { url: parsed.toString(), namespace };
});

/**
 * `redis[s]://[user[:password]@]host[:port][/db]/namespace` as the `url` and `namespace` options of
 * `RedisRegistry`; an `InvalidOptionsError` (code `INVALID_OPTIONS`) when it is not one.
 */
export function parseRegistryUrl(registryUrl: string): { url: string; namespace: string } {
  return parseOptions(RegistryUrlSchema, registryUrl, "registry URL");
}

/** Whether a `--registry` value names a fleet registry rather than a directory. */
export function isRedisRegistryUrl(value: string): boolean {
  return /^rediss?:\/\//i.test(value);
}
