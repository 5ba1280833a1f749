// One of several OS processes updating one registry at once: `count` upserts of distinct entries.
import { DeviceRegistry } from "@modelpool/core";
import { naiveUpsert } from "./naive-registry.js";

const [mode, path, tag, count] = process.argv.slice(2) as [string, string, string, string];
const registry = new DeviceRegistry({ path, lockTimeoutMs: 120_000 });
const startAt = Number(process.env.START_AT ?? 0);
while (Date.now() < startAt) await new Promise((resolve) => setTimeout(resolve, 1));
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
  else await registry.upsert(entry);
}
console.log(Date.now());
