import { statSync } from "node:fs";
import { join } from "node:path";
import { runNodeScript, tempDir } from "@modelpool/test-utils";
import { expect, test } from "vitest";

/**
 * The root's and its marker's identities and times (nanoseconds): anything created, removed or rewritten
 * in the root changes them; and the identity of each part (a write changes what is inside a part, never the part).
 */
function rootState(root: string): string[] {
  const times = [root, join(root, "format.json")].map((path) => {
    const stats = statSync(path, { bigint: true });
    return `${path} ${stats.ino} ${stats.mtimeNs} ${stats.ctimeNs}`;
  });
  const parts = ["workers", "claims", "locks"].map((name) => `${name} ${statSync(join(root, name)).ino}`);
  return [...times, ...parts];
}

test("a new process's first write into an existing registry creates, rewrites and removes nothing in its root", {
  timeout: 60_000,
}, async () => {
  const root = join(await tempDir(), "registry");
  await runNodeScript(new URL("./fixtures/put-one-record.ts", import.meta.url), [root, "first"]);
  const before = rootState(root);

  // A second process, started well after the first one's last change (a process start takes many clock ticks).
  await runNodeScript(new URL("./fixtures/put-one-record.ts", import.meta.url), [root, "second"]);

  expect(rootState(root)).toEqual(before);
});
