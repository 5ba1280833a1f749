#!/usr/bin/env node
// Packs every publishable package, installs the tarballs into an empty directory outside the repository
// (their own dependencies come from the npm registry, as for a user), and runs the example of each
// package's README exactly as written: the code blocks marked `readme-smoke` (```js readme-smoke runs
// with node, ```sh readme-smoke with bash, the installed bins on PATH). A README and its package cannot
// drift apart without this failing. Then the template policy package (examples/policy-template) is copied
// out of the repository, its @modelpool/core and @modelpool/testing pointed at the packed tarballs, and
// built and tested there, as a third-party policy author would.
//   node scripts/pack-smoke.mjs              all publishable packages, then the template
//   node scripts/pack-smoke.mjs --template   only core and testing packed, and the template
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";

const root = realpathSync(new URL("..", import.meta.url));
const packagesDir = join(root, "packages");
const templateOnly = process.argv.includes("--template");
const publishable = readdirSync(packagesDir)
  .map((name) => join(packagesDir, name))
  .filter((dir) => {
    try {
      return !JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).private;
    } catch {
      return false;
    }
  })
  .filter((dir) => !templateOnly || ["core", "testing"].some((name) => dir === join(packagesDir, name)));

const work = realpathSync(mkdtempSync(join(tmpdir(), "modelpool-pack-smoke-")));
if (!relative(root, work).startsWith("..")) throw new Error(`${work} is inside the repository ${root}`);
const run = (command, args, cwd, extra = {}) =>
  execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 180_000,
    ...extra,
  });

let failed = 0;
try {
  // `npm pack` runs each package's prepack (a fresh build), so no stale dist is ever shipped.
  const tarballs = publishable.map((dir) => {
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], dir));
    return join(work, packed.filename);
  });
  const app = join(work, "app");
  run("mkdir", ["-p", app], work);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "smoke-app", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs], app);

  for (const dir of templateOnly ? [] : publishable) {
    const name = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/^```(js|sh) readme-smoke\n([\s\S]*?)^```/gm)];
    if (blocks.length === 0) {
      console.error(`✗ ${name}: README.md has no \`\`\`js readme-smoke or \`\`\`sh readme-smoke block`);
      failed++;
      continue;
    }
    for (const [index, [, language, code]] of blocks.entries()) {
      const file = join(app, `${name.replace(/\W+/g, "_")}-${index}.${language === "js" ? "mjs" : "sh"}`);
      writeFileSync(file, language === "sh" ? `set -euo pipefail\n${code}` : code);
      try {
        const output = run(language === "js" ? process.execPath : "bash", [file], app, {
          env: { ...process.env, PATH: `${join(app, "node_modules", ".bin")}${delimiter}${process.env.PATH}` },
          timeout: 60_000,
        });
        console.log(`✓ ${name} README example ${index + 1} (${language})\n${output.replace(/^/gm, "    ")}`);
      } catch (error) {
        console.error(`✗ ${name} README example ${index + 1} (${language}) failed: ${error.message}`);
        failed++;
      }
    }
  }

  failed += testTemplate(Object.fromEntries(publishable.map((dir, i) => [packageName(dir), tarballs[i]])));
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed > 0) {
  console.error(`${failed} README example(s) or template check(s) failed`);
  process.exit(1);
}

function packageName(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name;
}

/** The template policy package, copied out, on the packed core and testing: built and tested. Returns failures. */
function testTemplate(tarballOf) {
  const template = join(work, "policy-template");
  cpSync(join(root, "examples", "policy-template"), template, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist)([/\\]|$)/.test(relative(root, source)),
  });
  const manifestPath = join(template, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  for (const name of ["@modelpool/core", "@modelpool/testing"]) {
    if (!tarballOf[name]) throw new Error(`${name} was not packed`);
    manifest.devDependencies[name] = `file:${tarballOf[name]}`;
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], template);
    for (const script of ["build", "test"]) {
      const output = run("npm", ["run", script], template, { timeout: 300_000 });
      console.log(
        `✓ examples/policy-template: npm run ${script} on the packed tarballs\n${output.replace(/^/gm, "    ")}`,
      );
    }
    return 0;
  } catch (error) {
    console.error(`✗ examples/policy-template on the packed tarballs failed: ${error.message}`);
    return 1;
  }
}
