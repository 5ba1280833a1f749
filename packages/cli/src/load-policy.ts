import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PoolPlugin } from "@modelpool/core";
import { UsageError } from "./usage-error.js";

/** The built-in policies, shipped as dependencies of this package: `--policy exact` works anywhere. */
const SHORTHANDS: Record<string, () => Promise<unknown>> = {
  exact: () => import("@modelpool/policy-exact"),
  family: () => import("@modelpool/policy-family"),
};

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

/**
 * Loads `--policy <module>`: `exact`, `family`, a package name or a file path. Paths and packages are
 * resolved from the current directory (where the user's project and its node_modules are), not from
 * where modelpool is installed. The module's default export, or else each named export, may be a plugin
 * object or a plugin class (constructed without options).
 */
export async function loadPolicies(specifier: string, cwd = process.cwd()): Promise<PoolPlugin[]> {
  const module = esModuleOf((await importPolicyModule(specifier, cwd)) as Record<string, unknown>);
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
      "explain",
    );
  }
  return plugins;
}

async function importPolicyModule(specifier: string, cwd: string): Promise<unknown> {
  const shorthand = SHORTHANDS[specifier];
  if (shorthand) return shorthand();
  const isPath = specifier.startsWith(".") || isAbsolute(specifier);
  // `noop.js` only names the directory to resolve from; it need not exist.
  const requireFromCwd = createRequire(join(cwd, "noop.js"));
  let file: string;
  try {
    file = isPath ? resolve(cwd, specifier) : requireFromCwd.resolve(specifier);
  } catch (error) {
    throw new UsageError(
      `cannot find policy package "${specifier}" from ${cwd} (install it there, e.g. npm install ${specifier}): ${(error as Error).message.split("\n")[0]}`,
      "explain",
    );
  }
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    // Node without type stripping does not know `.ts`; Node with it refuses TypeScript it cannot strip.
    const code = (error as { code?: string }).code;
    const nodeCannot = code === "ERR_UNKNOWN_FILE_EXTENSION" || code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX";
    if (nodeCannot && TYPESCRIPT.has(extname(file))) {
      return importTypeScript(specifier, file, requireFromCwd);
    }
    throw new UsageError(`cannot load policy module "${specifier}": ${(error as Error).message}`, "explain");
  }
}

/** Node cannot run TypeScript by itself here: tsx, when the user has it installed, compiles the module. */
async function importTypeScript(specifier: string, file: string, requireFromCwd: NodeJS.Require): Promise<unknown> {
  let tsx: { tsImport(url: string, parent: string): Promise<unknown> };
  try {
    tsx = (await import(pathToFileURL(tsxEsmApi(requireFromCwd)).href)) as typeof tsx;
  } catch {
    throw new UsageError(
      `policy module "${specifier}" is TypeScript: install tsx where you run modelpool (npm install --save-dev tsx), or compile it to .js`,
      "explain",
    );
  }
  try {
    return await tsx.tsImport(pathToFileURL(file).href, import.meta.url);
  } catch (error) {
    throw new UsageError(`cannot load policy module "${specifier}": ${(error as Error).message}`, "explain");
  }
}

/**
 * The ESM entry of tsx's API, found through tsx's own export map: `require.resolve` would pick its
 * CommonJS entry, and Node 20 cannot resolve an ESM specifier from another directory without a flag.
 */
function tsxEsmApi(requireFromCwd: NodeJS.Require): string {
  const manifestPath = requireFromCwd.resolve("tsx/package.json");
  const manifest = requireFromCwd(manifestPath) as { exports?: Record<string, { import?: { default?: string } }> };
  const entry = manifest.exports?.["./esm/api"]?.import?.default;
  if (!entry) throw new Error("this tsx has no ESM API entry");
  return join(dirname(manifestPath), entry);
}

/**
 * A TypeScript or ESM module compiled to CommonJS (tsx does so for a `.ts` file outside a
 * `"type": "module"` package) arrives as `{ default: { __esModule: true, default, ...named } }`.
 */
function esModuleOf(module: Record<string, unknown>): Record<string, unknown> {
  const inner = module.default as { __esModule?: unknown } | undefined;
  return typeof inner === "object" && inner !== null && inner.__esModule === true
    ? (inner as Record<string, unknown>)
    : module;
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
