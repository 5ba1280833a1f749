import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

/** A registry with one live worker of claude-sonnet-4-5 for docs. */
async function registryWithSonnet45() {
  const registry = await tempRegistryPath();
  const lease = await testPool({ registry }).getOrSpawn({
    workerId: "docs",
    fingerprint: { resolvedModel: "anthropic/claude-sonnet-4-5" },
  });
  await lease.release();
  return registry;
}

test("--policy name='{json}' constructs the policy with those options", async () => {
  const registry = await registryWithSonnet45();
  const loose = await run(
    "explain",
    "docs",
    "anthropic/claude-sonnet-4-1",
    "--policy",
    "family",
    "--registry",
    registry,
  );
  const tight = await run(
    "explain",
    "docs",
    "anthropic/claude-sonnet-4-1",
    "--policy",
    'family={"range":"~"}',
    "--registry",
    registry,
  );
  expect(loose.out).toMatch(/^would reuse/);
  expect(tight.code).toBe(0);
  expect(tight.out).toMatch(/^would spawn/);
  expect(tight.out).toContain("~");
});

test("--policy-options FILE gives each --policy its options, keyed as the --policy was written", async () => {
  const registry = await registryWithSonnet45();
  const file = join(await tempDir(), "options.json");
  await writeFile(file, JSON.stringify({ family: { range: "~" } }));
  const tight = await run(
    "explain",
    "docs",
    "anthropic/claude-sonnet-4-1",
    "--policy",
    "family",
    "--policy-options",
    file,
    "--registry",
    registry,
  );
  expect(tight.out).toMatch(/^would spawn/);
});

test("options a policy refuses, bad JSON, or options for a policy not given are usage errors naming the policy", async () => {
  const registry = await tempRegistryPath();
  const refused = await run("explain", "docs", "m", "--policy", 'family={"range":"!"}', "--registry", registry);
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('policy "family"');

  const badJson = await run("explain", "docs", "m", "--policy", "family={range}", "--registry", registry);
  expect(badJson.code).toBe(2);
  expect(badJson.err).toContain("not valid JSON");

  const file = join(await tempDir(), "options.json");
  await writeFile(file, JSON.stringify({ exact: {} }));
  const stray = await run(
    "explain",
    "docs",
    "m",
    "--policy",
    "family",
    "--policy-options",
    file,
    "--registry",
    registry,
  );
  expect(stray.code).toBe(2);
  expect(stray.err).toContain('"exact"');
});
