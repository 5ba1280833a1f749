// One of several OS processes writing one registry at once: `count` records of its own.
import { DeviceRegistry } from "@modelpool/core";
import { naiveUpsert } from "./naive-registry.js";
import { readyThenWaitForGo } from "./start-signal.js";

const [mode, path, tag, count] = process.argv.slice(2) as [string, string, string, string];
const registry = new DeviceRegistry({ path, lockTimeoutMs: 120_000, legacySources: false });
await readyThenWaitForGo();
for (let i = 0; i < Number(count); i++) {
  const now = Date.now();
  const entry = {
    kind: "worker" as const,
    id: `${tag}-${i}`,
    workerId: tag,
    pid: process.pid,
    status: "ready" as const,
    startedAt: now,
    updatedAt: now,
  };
  if (mode === "naive") await naiveUpsert(path, entry);
  else await registry.put(entry);
}
console.log(Date.now());
