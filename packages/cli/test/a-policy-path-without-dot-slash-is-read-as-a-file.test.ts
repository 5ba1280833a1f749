import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { afterEach, expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

const home = process.cwd();
afterEach(() => process.chdir(home));

test("--policy policies/allow.js (no ./) loads the file from the current directory", async () => {
  const project = await tempDir();
  await mkdir(join(project, "policies"));
  await writeFile(
    join(project, "policies", "allow.js"),
    `export default { apply(pool) { pool.hooks.canReuse.tap("Allow", () => ({ reuse: true, reason: "allowed", by: "Allow" })); } };\n`,
  );
  process.chdir(project);

  const { code, out, err } = await run(
    "explain",
    "docs",
    "m",
    "--policy",
    "policies/allow.js",
    "--registry",
    await tempRegistryPath(),
    "--json",
  );

  expect(err).toBe("");
  expect(code).toBe(0);
  expect(JSON.parse(out)).toMatchObject({ outcome: "spawned" });
});

test("a --policy that looks like a file but is not there says the file does not exist, not that a package is missing", async () => {
  process.chdir(await tempDir());
  const { code, err } = await run(
    "explain",
    "docs",
    "m",
    "--policy",
    "policies/missing.ts",
    "--registry",
    await tempRegistryPath(),
  );
  expect(code).toBe(2);
  expect(err).toContain("no such file");
  expect(err).not.toContain("npm install");
});
