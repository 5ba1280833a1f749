import { DeviceRegistry } from "@modelpool/core";
import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { main } from "../src/main.js";

test("ls and explain print a model carrying terminal escapes as visible text, never raw", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path });
  // A registry is written by any local process: a model id is free text there, so it can carry ESC
  // sequences (a pool refuses them in requests, so another writer puts them in).
  const { worker } = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "plain" } });
  await pool.settled();
  await new DeviceRegistry({ path }).update(worker, (record) => ({
    ...record,
    fingerprint: { resolvedModel: "evil\u001b[2J\u001b]0;pwned\u0007", modelPolicy: "dynamic" },
  }));

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
