import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Test scripts (the fixtures a test runs in a process of its own) bundled once per test run, so each
 * process starts on plain Node in a fraction of the CPU that loading TypeScript through tsx takes (about
 * a fifth: what makes a race of many processes slow on a loaded machine is mostly their start).
 * `startNodeScript` runs a script's bundle when there is one, and the script through tsx otherwise.
 * script-bundles-setup.ts makes them.
 */
export const SCRIPT_BUNDLES_ENV = "MODELPOOL_SCRIPT_BUNDLES";

export const ROOT = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/** The bundle of `script` (a file URL or path) in the bundles of this test run, if it has one. */
export function bundledScript(script: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env[SCRIPT_BUNDLES_ENV];
  if (dir === undefined || dir === "") return undefined;
  const bundle = join(dir, `${relative(ROOT, script).replace(/\.ts$/, "")}.mjs`);
  return existsSync(bundle) ? bundle : undefined;
}

/**
 * What a started script should `import()` for `module` (a store opener, say): the module's bundle when the
 * script itself runs bundled — a bundle cannot load TypeScript, and the two bundles share their chunks, so
 * the process holds one copy of each package — else the module as it is (tsx loads it).
 */
export function moduleForScript(script: URL, module: URL, env: NodeJS.ProcessEnv = process.env): string {
  if (!bundledScript(fileURLToPath(script), env)) return module.href;
  const bundle = bundledScript(fileURLToPath(module), env);
  return bundle ? pathToFileURL(bundle).href : module.href;
}
