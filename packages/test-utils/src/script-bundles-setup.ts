// vitest globalSetup (vitest.config.ts, vitest.hostile.config.ts): bundles the test scripts once for the
// run (see script-bundles.ts) and tells every test process, and the scripts they start, where they are.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, extname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { ROOT, SCRIPT_BUNDLES_ENV } from "./script-bundles.js";

/** Every TypeScript file a test may run as a script: the packages' fixtures and test-utils' `*-child.ts`. */
function scripts(): string[] {
  const found: string[] = [];
  const inDir = (dir: string, keep: (name: string) => boolean) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // A package without fixtures.
    }
    for (const name of names) if (keep(name)) found.push(join(dir, name));
  };
  for (const pkg of readdirSync(join(ROOT, "packages"))) {
    inDir(join(ROOT, "packages", pkg, "test", "fixtures"), (name) => name.endsWith(".ts") && !name.endsWith(".d.ts"));
  }
  inDir(join(ROOT, "packages", "test-utils", "src"), (name) => name.endsWith("-child.ts"));
  // A script that imports a module named at run time (a store opener passed as an argument) is bundled
  // too: whoever starts it passes that module's bundle (`moduleForScript`), never TypeScript.
  return found;
}

/**
 * Each module keeps its own `import.meta.url` (and dirname, filename) in the bundle: scripts find files
 * beside them (the model server, a fixture they start, package.json) as they would unbundled.
 */
const IMPORT_META = /(?<!["'`])\bimport\.meta\.(url|dirname|filename)\b/g;
const ownImportMeta: Plugin = {
  name: "own-import-meta",
  setup(builder) {
    builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${join("node_modules", "")}`)) return undefined;
      const source = readFileSync(args.path, "utf8");
      const own = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
      const contents = source.replace(IMPORT_META, (_, name: keyof typeof own) => JSON.stringify(own[name]));
      const ext = extname(args.path);
      return { contents, loader: ext === ".ts" || ext === ".mts" || ext === ".cts" ? "ts" : "js" };
    });
  },
};

/** Packages from npm stay imports, loaded from the repository's node_modules as they are; ours are bundled. */
const npmPackagesExternal: Plugin = {
  name: "npm-packages-external",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("@modelpool/") || args.path.startsWith("node:")) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Bundles every script into a fresh directory inside node_modules (so the imports left in the bundles
 * resolve to the repository's packages) and returns it with a function that removes it. A script that
 * does not bundle (none should) is left out: it runs through tsx.
 */
async function bundleScripts(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(ROOT, "node_modules", ".modelpool-scripts-"));
  const entryPoints = Object.fromEntries(
    scripts().map((file) => [relative(ROOT, file).replace(/\.ts$/, ""), file] as const),
  );
  await build({
    entryPoints,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    conditions: ["@modelpool/source"],
    plugins: [npmPackagesExternal, ownImportMeta],
    logLevel: "silent",
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export default async function setup(): Promise<() => void> {
  if (process.env.MODELPOOL_TSX_SCRIPTS === "1") return () => undefined; // each script through tsx, as written
  try {
    const bundles = await bundleScripts();
    process.env[SCRIPT_BUNDLES_ENV] = bundles.dir;
    return () => {
      delete process.env[SCRIPT_BUNDLES_ENV];
      bundles.remove();
    };
  } catch (error) {
    console.warn(`test scripts run through tsx: bundling them failed: ${(error as Error).message}`);
    return () => undefined;
  }
}
