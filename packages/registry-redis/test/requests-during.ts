import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { onTestFinished } from "vitest";
import type { TestRedisServer } from "../../test-utils/src/redis-server.js";

/**
 * The requests clients sent to the server while `action` ran, as MONITOR shows them: commands a script
 * runs inside are shown as "[0 lua]" and are not requests; everything else is one request of a client.
 */
export async function requestsDuring(server: TestRedisServer, action: () => Promise<unknown>): Promise<string[]> {
  const monitor = spawn("redis-cli", ["-h", "127.0.0.1", "-p", String(server.port), "monitor"]);
  onTestFinished(() => {
    monitor.kill();
  });
  let out = "";
  monitor.stdout.on("data", (chunk) => {
    out += chunk;
  });
  await waitFor(() => out.startsWith("OK"));
  const marker = `marker-${randomUUID()}`;
  await action();
  server.cli("ECHO", marker);
  await waitFor(() => out.includes(marker));
  monitor.kill();
  return out
    .split("\n")
    .filter((line) => /^\d+\.\d+ \[\d+ \d/.test(line) && !line.includes(marker))
    .map((line) => (/\] "([^"]+)"/.exec(line)?.[1] ?? line).toUpperCase());
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}
