import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test("a script that exports nothing is refused without being run", async () => {
  const dir = await tempDir();
  const marker = join(dir, "ran");
  const script = join(dir, "demo.mjs");
  // A script such as the examples' demo: run, it would spawn workers. It exports nothing, so it is no policy.
  await writeFile(
    script,
    `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "yes");\n`,
  );

  const { code, err } = await run("explain", "docs", "m", "--policy", script, "--registry", await tempRegistryPath());

  expect(code).toBe(2);
  expect(err).toContain("exports nothing");
  await expect(readFile(marker, "utf8")).rejects.toThrow(/ENOENT/);
});

test("a module exporting a plugin class and a non-plugin default is refused before the class is constructed", async () => {
  const dir = await tempDir();
  const marker = join(dir, "constructed");
  const module = join(dir, "not-a-policy.mjs");
  // Its default export is a script's result, not a plugin: the class beside it must never be constructed.
  await writeFile(
    module,
    `import { writeFileSync } from "node:fs";
export class Spawner { constructor() { writeFileSync(${JSON.stringify(marker)}, "yes"); } apply() {} }
export default 42;
`,
  );

  const { code, err } = await run("explain", "docs", "m", "--policy", module, "--registry", await tempRegistryPath());

  expect(code).toBe(2);
  expect(err).toContain("exports no plugin");
  await expect(readFile(marker, "utf8")).rejects.toThrow(/ENOENT/);
});

test("a policy class that throws while being constructed is a usage error naming the policy and how to pass options", async () => {
  const dir = await tempDir();
  const module = join(dir, "needs-options.mjs");
  await writeFile(
    module,
    `export default class NeedsOptions { constructor(options) { if (!options?.limit) throw new Error("limit is required"); } apply() {} }\n`,
  );
  const { code, err } = await run("explain", "docs", "m", "--policy", module, "--registry", await tempRegistryPath());
  expect(code).toBe(2);
  expect(err).toContain("limit is required");
  expect(err).toContain("='{");
});

test("explain's help says that loading a policy module runs it", async () => {
  const { out } = await run("explain", "--help");
  expect(out).toMatch(/loading a module runs it/i);
});
