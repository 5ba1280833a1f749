import { join } from "node:path";
import { runNodeScript, tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const example = (name: string) => new URL(`../${name}`, import.meta.url);

test("the demo shows a reuse, a denied reuse with its reason, a forceNew and a family reuse, then stops its workers", async () => {
  const registry = join(await tempDir(), "registry.json");

  const { stdout } = await runNodeScript(example("demo.ts"), ["--registry", registry]);

  const outcomes = stdout
    .split("\n")
    .filter((line) => line.includes(" | "))
    .slice(1)
    .map((line) => line.split(" | ")[2]?.trim());
  expect(outcomes).toEqual(["spawned", "reused", "spawned", "forced", "spawned", "reused"]);
  expect(stdout).toContain("not reused: family differs: running gpt-mini, requested gpt-nano");
  expect(stdout).toContain("stopped the 4 workers this demo started");
  expect(stdout).toContain(`registry: ${registry}\n  (given with --registry)`);
  expect(stdout).toContain(`npx modelpool ls --registry ${registry}`);
});

test("the demo says when it uses the registry from the environment, and never cuts a reason short", async () => {
  const registry = join(await tempDir(), "registry.json");

  const { stdout } = await runNodeScript(example("demo.ts"), [], { MODELPOOL_REGISTRY: registry });

  expect(stdout).toContain(`registry: ${registry}\n  (from $MODELPOOL_REGISTRY)`);
  const reasons = stdout
    .split("\n")
    .filter((line) => line.includes(" | "))
    .slice(1)
    .map((line) => line.split(" | ")[5]);
  expect(reasons.every((reason) => reason !== undefined && reason.length > 0 && !reason.endsWith("..."))).toBe(true);
  // Over 90 characters: the demo used to cut this one off.
  expect(stdout).toMatch(
    /reused memory worker \S+ \(pid \d+\): same family claude-sonnet: running 4\.5\.0 satisfies \^4\.1\.0$/m,
  );
});

test("the custom policy example composes with FamilyPolicy", async () => {
  const { stdout } = await runNodeScript(example("custom-policy.ts"));
  expect(stdout).toMatch(/ctx 8192: reused .*context window 32768 ≥ requested 8192/);
  expect(stdout).toMatch(/ctx 131072: spawned .*context window 32768 < requested 131072/);
});

test("the decided-hook example logs why each worker was or was not reused", async () => {
  const { stdout } = await runNodeScript(example("log-decisions.ts"));
  const lines = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines.map((l) => l.outcome)).toEqual(["spawned", "reused", "spawned"]);
  expect(lines[2].rejected[0]).toMatch(
    /resolvedModel differs: running "openai\/gpt-5-mini", requested "openai\/gpt-5-nano"/,
  );
});

test("two OS processes share one registry: reuse across processes, refusal after a model change", async () => {
  const { stdout } = await runNodeScript(example("two-processes.ts"));
  const [first, second, third] = stdout.trim().split("\n");
  const workerPid = /spawned pid (\d+)/.exec(first ?? "")?.[1];
  expect(second).toContain(`reused pid ${workerPid}`);
  expect(third).toMatch(/spawned pid \d+ .*resolvedModel differs/);
});
