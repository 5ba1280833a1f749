import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runNodeScript, tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("the README's Usage snippet runs as written from the repository root: spawn, record, reuse, stop", async () => {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const code = /```js readme-usage\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // In the repository (so @modelpool/* resolve as for a reader of a clone), run from its root as the README says.
  const script = `${await tempDir(ROOT)}/usage.mjs`;
  await writeFile(script, code as string);

  const { stdout } = await runNodeScript(pathToFileURL(script));

  const lines = stdout.trim().split("\n");
  expect(lines[0]).toBe('spawned - no running worker "coder"');
  expect(stdout).toMatch(/workerId: 'coder',\n\s+pid: \d+,/);
  expect(stdout).toContain("fingerprint: { resolvedModel: 'qwen2.5-coder:7b', modelPolicy: 'dynamic' }");
  expect(stdout).toContain("reused true");
  expect(lines.at(-1)).toMatch(/^\[ 'coder pid \d+' \]$/);
});
