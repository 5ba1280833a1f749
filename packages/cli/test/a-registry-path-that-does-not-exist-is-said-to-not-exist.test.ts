import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test.each(["ls", "stats", "prune"])(
  "%s on a registry path that does not exist says so and exits 1, creating nothing",
  async (command) => {
    const path = join(await tempDir(), "nowhere");
    const { code, out, err } = await run(command, "--registry", path);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain(`registry ${path} does not exist`);
    expect(existsSync(path)).toBe(false);
  },
);

test("with --json, a registry that does not exist is an empty list, exit 0", async () => {
  const path = join(await tempDir(), "nowhere");
  const { code, out } = await run("ls", "--registry", path, "--json");
  expect(code).toBe(0);
  expect(JSON.parse(out)).toMatchObject({ path, exists: false, workers: [] });
});

test("a .json registry path that does not exist says registries are directories and points at --from", async () => {
  const path = join(await tempDir(), "demo.json");
  const { code, err } = await run("ls", "--registry", path);
  expect(code).toBe(1);
  expect(err).toContain("a registry is a directory");
  expect(err).toContain("--from");
  expect(existsSync(path)).toBe(false);
});

test("a registry directory whose name ends in .json is read, with a note that it is a directory", async () => {
  const path = join(await tempDir(), "demo.json");
  await mkdir(path, { mode: 0o700 });
  const { code, err } = await run("ls", "--registry", path);
  expect(code).toBe(0);
  expect(err).toContain(`note: ${path} is a registry directory`);
});
