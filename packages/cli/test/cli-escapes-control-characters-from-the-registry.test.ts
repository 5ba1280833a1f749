import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { main } from "../src/main.js";

test("ls and explain print a model carrying terminal escapes as visible text, never raw", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path });
  // A registry is written by any local process: a model id is free text, so it can carry ESC sequences.
  await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "evil\u001b[2J\u001b]0;pwned\u0007" } });
  await pool.settled();

  const printed: string[] = [];
  const ls = await main(
    ["ls", "--registry", path],
    (t) => printed.push(t),
    (t) => printed.push(t),
  );
  const explain = await main(
    ["explain", "docs", "other", "--registry", path, "--policy", "exact"],
    (t) => printed.push(t),
    (t) => printed.push(t),
  );

  expect([ls, explain]).toEqual([0, 0]);
  const text = printed.join("\n");
  expect(text).toContain("evil\\x1b[2J\\x1b]0;pwned\\x07");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
});
