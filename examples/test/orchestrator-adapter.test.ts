import { expect, test } from "vitest";
import { scenarios } from "./orchestrator-adapter-scenarios.js";

// Each of the adapter's behaviours, run here under Node; orchestrator-adapter.check.ts runs the same
// functions as a script (under Node and under Bun).
for (const scenario of scenarios) test(scenario.name, scenario.run);

test("the adapter's wiring is the block and the marked lines it states", async () => {
  const { readFile } = await import("node:fs/promises");
  const source = await readFile(new URL("../orchestrator-adapter.ts", import.meta.url), "utf8");
  const block = source.split("\n");
  const begin = block.findIndex((line) => line.includes("modelpool wiring: begin"));
  const end = block.findIndex((line) => line.includes("modelpool wiring: end"));
  const code = block.slice(begin + 1, end).filter((line) => line.trim() !== "" && !line.trim().startsWith("//"));
  const stated = /wiring: begin \((\d+) lines; plus the (\d+) lines marked "modelpool" below/.exec(block[begin] ?? "");
  expect(code.length).toBe(Number(stated?.[1]));
  const marked = block.slice(end).filter((line) => /\/\/ modelpool\b/.test(line));
  expect(marked.length).toBe(Number(stated?.[2]));
});

test("the adapter runs as a script: a shared spawn, a model change and a forceNew, then one map entry", async () => {
  const { runNodeScript } = await import("@modelpool/test-utils");
  const { stdout } = await runNodeScript(new URL("../orchestrator-adapter.ts", import.meta.url));
  const outcomes = stdout
    .split("\n")
    .filter((line) => line.startsWith("docs: "))
    .map((line) => line.split(" ")[1]);
  expect(outcomes).toEqual(["spawned", "spawned", "spawned", "spawned", "forced"]);
  expect(stdout).toMatch(/shared the spawn of worker/);
  expect(stdout).toMatch(/resolvedModel differs: running "openai\/gpt-5-nano", requested "openai\/gpt-5-mini"/);
  expect(stdout).toContain("workers in the orchestrator's map: docs");
});
