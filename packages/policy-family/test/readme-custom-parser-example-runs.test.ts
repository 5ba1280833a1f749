import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runNodeScript, tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("the README's custom naming scheme example runs and prints what its comments say", async () => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const code = /<!-- readme-example: custom-parser -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // Beside this package, so that "@modelpool/policy-family" resolves as it does for a user.
  const script = join(await tempDir(fileURLToPath(new URL(".", import.meta.url))), "example.ts");
  await writeFile(script, code as string);

  const { stdout } = await runNodeScript(pathToFileURL(script));

  expect(stdout.trim().split("\n")).toEqual(["true", "false", "family differs: running writer, requested coder"]);
});
