import { readFile } from "node:fs/promises";
import { tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { runCli as run } from "./fixtures/run-cli.js";

test("ls shows the log file of each worker, which holds what the worker printed", async () => {
  const path = await tempRegistryPath();
  const pool = testPool({ registry: path });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  await pool.settled();
  const logPath = lease.worker.logPath as string;

  const { code, out } = await run("ls", "--registry", path);
  const json = JSON.parse((await run("ls", "--registry", path, "--json")).out);

  expect(code).toBe(0);
  expect(out).toMatch(/\bHOST\s+LOG\b/);
  expect(out).toContain(logPath);
  expect(json.workers[0].logPath).toBe(logPath);
  expect(logPath).toContain(`.pid-${lease.worker.pid}`);
  expect(await readFile(logPath, "utf8")).toMatch(/listening on http:\/\/127\.0\.0\.1/);
});
