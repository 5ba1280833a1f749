#!/usr/bin/env node
// Writes each package's JavaScript as one ESM module per entry point (dist/index.js, and dist/bin.js for
// a command), bundled from src/ by esbuild; tsc writes only the declarations (.d.ts), next to it.
//   node scripts/bundle-dist.mjs              every publishable package
//   node scripts/bundle-dist.mjs DIR...       these package directories (a package's own build: `.`)
//
// Why: Node resolves, reads, compiles and links every module file of a package one by one. @modelpool/core
// was about ninety files, and loading them cost more than a third of its import time; one file does not.
// Dependencies (tapable, other @modelpool packages, node:*) stay imports: users share one copy of each;
// zod is the exception (inlineZod, below).
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const packagesDir = new URL("../packages/", import.meta.url).pathname;
const given = process.argv.slice(2);
const dirs =
  given.length > 0
    ? given.map((dir) => resolve(dir))
    : readdirSync(packagesDir)
        .map((name) => join(packagesDir, name))
        .filter((dir) => {
          try {
            return !JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).private;
          } catch {
            return false;
          }
        });

/**
 * zod is bundled, tree-shaken, into each package that imports it (`import * as z from "zod"`, so esbuild keeps
 * only what is used): zod's own ESM build is about a hundred module files, half of them locales, and
 * loading them cost a new process 45–60 ms of CPU before its first decision; the part core uses, inlined,
 * about 15 ms (measured on this 2-core machine, in fresh processes). zod stays a dependency for the
 * declaration files' types; zod 4 schemas of two copies still compose and pass `instanceof` (zod checks
 * traits, not classes).
 */
const inlineZod = {
  name: "inline-zod",
  setup(build) {
    // Every other bare specifier (a package) stays an import, as `packages: "external"` would keep it.
    build.onResolve({ filter: /^[^./]/ }, (args) => (/^zod(\/|$)/.test(args.path) ? undefined : { external: true }));
  },
};

for (const dir of dirs) {
  const dist = join(dir, "dist");
  // JavaScript left by an older build (one file per module) would be shipped alongside the bundle.
  removeJavaScript(dist);
  const entryPoints = ["index", "bin"]
    .map((name) => join(dir, "src", `${name}.ts`))
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile());
  const { metafile } = await build({
    entryPoints,
    outdir: dist,
    bundle: true,
    // Code shared by two entry points (a command's bin and index) goes into a chunk both import, never
    // into two copies with two copies of module state.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.17",
    plugins: [inlineZod],
    sourcemap: true,
    sourcesContent: false,
    logLevel: "warning",
    metafile: true,
  });
  // `import { z } from "zod"` pins zod's whole namespace object, locales and all (a 1 MB bundle that
  // imports as slowly as zod unbundled); `import * as z from "zod"` lets esbuild keep what is used.
  const bundled = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  const locales = bundled.filter((input) => /zod\/v4\/locales\/(?!en\.js$)/.test(input));
  if (locales.length > 0) {
    throw new Error(
      `${dir}: the bundle pulled in zod's locales (${locales.length} files, e.g. ${locales[0]}): import zod as \`import * as z from "zod"\`, not \`import { z }\``,
    );
  }
}

function removeJavaScript(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(js|js\.map)$/.test(entry.name)) rmSync(join(entry.parentPath, entry.name));
  }
}
