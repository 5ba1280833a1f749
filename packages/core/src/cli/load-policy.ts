import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PoolPlugin } from "../pool/options.js";
import { UsageError } from "./usage-error.js";

const SHORTHANDS: Record<string, string> = {
  exact: "@modelpool/policy-exact",
  family: "@modelpool/policy-family",
};

/**
 * Loads `--policy <module>`: `exact`, `family`, a package name or a file path. The module's default
 * export, or else each named export, may be a plugin object or a plugin class (constructed without options).
 */
export async function loadPolicies(specifier: string): Promise<PoolPlugin[]> {
  const target = SHORTHANDS[specifier] ?? specifier;
  const url = target.startsWith(".") || isAbsolute(target) ? pathToFileURL(resolve(target)).href : target;
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(
      `cannot load policy module "${specifier}": ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // Named exports count only when they are plugin classes: other exports (schemas, helpers) may well
  // have an `apply` method that has nothing to do with pools (zod schemas do).
  const plugins =
    module.default !== undefined
      ? [asPlugin(module.default)].filter((plugin) => plugin !== undefined)
      : Object.values(module)
          .filter(isPluginClass)
          .map((PluginClass) => new PluginClass());
  if (plugins.length === 0) {
    throw new UsageError(
      `policy module "${specifier}" exports no plugin (a default export, or classes, with apply(pool))`,
    );
  }
  return plugins;
}

function isPluginClass(value: unknown): value is new () => PoolPlugin {
  return (
    typeof value === "function" && typeof (value as { prototype?: { apply?: unknown } }).prototype?.apply === "function"
  );
}

function asPlugin(value: unknown): PoolPlugin | undefined {
  if (isPluginClass(value)) return new value();
  if (typeof value === "object" && value !== null && typeof (value as PoolPlugin).apply === "function")
    return value as PoolPlugin;
  return undefined;
}
