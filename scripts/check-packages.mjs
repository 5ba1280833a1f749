#!/usr/bin/env node
// What npm would publish, checked for every publishable package (each one under packages/ that is not
// private): publint (package.json against the files), arethetypeswrong (types resolve as ESM-only
// consumers resolve them) and `npm pack --dry-run` (the tarball builds, and lists what it ships).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const packagesDir = new URL("../packages/", import.meta.url).pathname;
const publishable = readdirSync(packagesDir).filter((name) => {
  try {
    return !JSON.parse(readFileSync(join(packagesDir, name, "package.json"), "utf8")).private;
  } catch {
    return false;
  }
});
const run = (command, args) => execFileSync(command, args, { stdio: "inherit" });

for (const name of publishable) {
  const dir = join(packagesDir, name);
  console.log(`\n── packages/${name}`);
  run("npx", ["publint", dir]);
  run("npx", ["attw", "--pack", dir, "--profile", "esm-only", "--format", "ascii", "--quiet"]);
  run("npm", ["pack", "--dry-run", "--workspace", `packages/${name}`]);
}
