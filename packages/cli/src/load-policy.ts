import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PoolPlugin } from "@modelpool/core";
import type { PolicyRequest } from "./policy-requests.js";
import { UsageError } from "./usage-error.js";

/** The built-in policies, shipped as dependencies of this package: `--policy exact` works anywhere. */
const SHORTHANDS: Record<string, () => Promise<unknown>> = {
  exact: () => import("@modelpool/policy-exact"),
  family: () => import("@modelpool/policy-family"),
};

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

/**
 * Loads `--policy <module>`: `exact`, `family`, a package name or a file path (with or without `./`).
 * Paths and packages are resolved from the current directory (where the user's project and its
 * node_modules are), not from where modelpool is installed. The module's default export, or else each
 * named export, may be a plugin object or a plugin class, constructed with the request's options.
 *
 * Loading a module runs its top-level code, as any import does. So a file that exports nothing (a script,
 * such as an example that spawns workers) is refused before it is loaded, and every export is checked
 * for a plugin before any plugin is constructed.
 */
export async function loadPolicies(request: PolicyRequest | string, cwd = process.cwd()): Promise<PoolPlugin[]> {
  const { specifier, options } = typeof request === "string" ? { specifier: request, options: undefined } : request;
  const module = esModuleOf((await importPolicyModule(specifier, cwd)) as Record<string, unknown>);
  // Named exports count only when they are plugin classes: other exports (schemas, helpers) may well
  // have an `apply` method that has nothing to do with pools (zod schemas do).
  const found: unknown[] =
    module.default !== undefined
      ? [module.default].filter((value) => isPluginClass(value) || isPluginObject(value))
      : Object.values(module).filter(isPluginClass);
  if (found.length === 0) {
    throw new UsageError(
      `policy module "${specifier}" exports no plugin (a default export, or classes, with apply(pool))`,
      "explain",
    );
  }
  if (options !== undefined && found.some((value) => !isPluginClass(value))) {
    throw new UsageError(
      `policy "${specifier}" exports a plugin object, which takes no options (only a plugin class is constructed with them)`,
      "explain",
    );
  }
  return found.map((value) => (isPluginClass(value) ? construct(specifier, value, options) : (value as PoolPlugin)));
}

function construct(
  specifier: string,
  PluginClass: new (options?: unknown) => PoolPlugin,
  options: Record<string, unknown> | undefined,
): PoolPlugin {
  try {
    return options === undefined ? new PluginClass() : new PluginClass(options);
  } catch (error) {
    const how =
      options === undefined ? `; pass its options with --policy ${specifier}='{...}' or --policy-options <file>` : "";
    throw new UsageError(
      `policy "${specifier}" could not be constructed${options === undefined ? "" : ` with ${JSON.stringify(options)}`}: ${(error as Error).message}${how}`,
      "explain",
    );
  }
}

/** Source extensions a `--policy` without `./` is taken for a file by, when no package of that name resolves. */
const SCRIPT = /\.(m|c)?(j|t)sx?$/;

/** A path, or a package resolved from `cwd`; a bare word names a file when that file exists. */
function resolvePolicyFile(specifier: string, cwd: string, requireFromCwd: NodeJS.Require): string {
  const asFile = resolve(cwd, specifier);
  if (specifier.startsWith(".") || isAbsolute(specifier) || isFile(asFile)) {
    if (!isFile(asFile)) throw new UsageError(`policy module "${specifier}": no such file ${asFile}`, "explain");
    return asFile;
  }
  try {
    return requireFromCwd.resolve(specifier);
  } catch (error) {
    if (SCRIPT.test(specifier) && !specifier.startsWith("@")) {
      throw new UsageError(
        `policy module "${specifier}": no such file ${asFile} (and no package of that name from ${cwd})`,
        "explain",
      );
    }
    throw new UsageError(
      `cannot find policy package "${specifier}" from ${cwd} (install it there, e.g. npm install ${specifier}): ${(error as Error).message.split("\n")[0]}`,
      "explain",
    );
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether a module's source exports anything at all (ESM `export`, or CommonJS `exports`): one that does
 * not is a script, and loading it would run it for nothing. A loose reading: it only ever lets through.
 */
function exportsSomething(file: string): boolean {
  try {
    return /\bexport\b|\bexports\b/.test(readFileSync(file, "utf8"));
  } catch {
    return true; // unreadable here: let the import say why
  }
}

async function importPolicyModule(specifier: string, cwd: string): Promise<unknown> {
  const shorthand = SHORTHANDS[specifier];
  if (shorthand) return shorthand();
  // `noop.js` only names the directory to resolve from; it need not exist.
  const requireFromCwd = createRequire(join(cwd, "noop.js"));
  const file = resolvePolicyFile(specifier, cwd, requireFromCwd);
  if (!exportsSomething(file)) {
    throw new UsageError(
      `policy module "${specifier}" exports nothing: it reads as a script, not a policy, and was not loaded (loading a module runs it)`,
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

function isPluginClass(value: unknown): value is new (options?: unknown) => PoolPlugin {
  return (
    typeof value === "function" && typeof (value as { prototype?: { apply?: unknown } }).prototype?.apply === "function"
  );
}

function isPluginObject(value: unknown): value is PoolPlugin {
  return typeof value === "object" && value !== null && typeof (value as PoolPlugin).apply === "function";
}
