import { processBackend, WorkerPool } from "@modelpool/core";
import { MODEL_WORKER_SCRIPT } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

test.each(["g", "y", "gy"])("a ready pattern with the %s flag works on 3 spawns in a row", async (flags) => {
  const ready = new RegExp(String.raw`listening on (?<url>http://\S+)`, flags);
  const pool = new WorkerPool({
    backend: processBackend({
      command: process.execPath,
      args: [MODEL_WORKER_SCRIPT],
      ready: { stdout: ready },
      timeoutMs: 5_000,
    }),
    registry: false,
  });
  onTestFinished(() => pool.stopAll().then(() => undefined));

  const urls: string[] = [];
  for (let spawn = 0; spawn < 3; spawn++) {
    const lease = await pool.getOrSpawn({ workerId: "w", fingerprint: { resolvedModel: "m" }, forceNew: true });
    urls.push(lease.worker.url ?? "");
  }

  expect(urls).toHaveLength(3);
  for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(ready.lastIndex).toBe(0);
});
