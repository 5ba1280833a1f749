import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeRegistry } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("a writer killed with SIGKILL at random points of 200 writes leaves a valid file holding every completed write", {
  timeout: 120_000,
}, async () => {
  const path = await tempRegistryPath();
  const completed = new Set<string>();
  for (let round = 0; round < 5; round++) {
    const writer = startNodeScript(new URL("./fixtures/write-many.ts", import.meta.url), [
      path,
      String(round * 40),
      "40",
    ]);
    let buffer = "";
    writer.stdout?.on("data", (chunk) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("done ")) completed.add(line.slice(5));
    });
    await new Promise((resolve) => writer.stdout?.once("data", resolve));
    await sleep(Math.random() * 150);
    const exited = new Promise((resolve) => {
      if (writer.exitCode !== null || writer.signalCode !== null) resolve(undefined);
      else writer.once("exit", resolve);
    });
    writer.kill("SIGKILL");
    await exited;

    const decoded = decodeRegistry(await readFile(path, "utf8"));
    expect(decoded.ok).toBe(true);
    const ids = new Set(decoded.ok ? decoded.contents.workers.map((r) => r.id) : []);
    for (const id of completed) expect(ids).toContain(id);
  }
  expect(completed.size).toBeGreaterThan(0);
});
