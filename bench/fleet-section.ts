import { cpus } from "node:os";
import { measureFleet } from "./fleet.js";
import { formatDuration as d, ratio } from "./stats.js";

/** Section 6 of the results, as lines of Markdown. */
export async function fleetSection(dir: string): Promise<string[]> {
  const r = await measureFleet(dir);
  const { decision, fleet, storm } = r;
  return [
    `## 6. Fleet registry (Redis, loopback, a private \`redis-server\`)`,
    ``,
    `Cross-host reuse decision: a pool on one host reuses a worker another host recorded (lookup + heartbeat check + policy, no probe), among ${fleet.workers.toLocaleString("en")} records; beside it, the same decision on the directory store of one machine with as many records.`,
    ``,
    `| | median | p95 |`,
    `|---|---:|---:|`,
    `| \`RedisRegistry\`, pool decision | ${d(decision.redis.median)} | ${d(decision.redis.p95)} |`,
    `| \`RedisRegistry\`, store only (\`lookup\` + \`checkRecordLiveness\`) | ${d(decision.storeOnly.median)} | ${d(decision.storeOnly.p95)} |`,
    `| \`DeviceRegistry\` (directory), pool decision | ${d(decision.directory.median)} | ${d(decision.directory.p95)} |`,
    ``,
    `Redis ÷ directory (median): ${ratio(decision.redis.median, decision.directory.median)}.`,
    ``,
    `${fleet.workers.toLocaleString("en")} workers on ${fleet.hosts} hosts:`,
    ``,
    `| | value |`,
    `|---|---:|`,
    `| \`scan()\` of every record with its heartbeat (what \`modelpool ls\` reads), median | ${d(fleet.scan.median)} |`,
    `| heartbeat commands/s (period ${fleet.heartbeatPeriodMs / 1000} s, one EVALSHA per live record) | ${Math.round(fleet.heartbeatCommandsPerSecond)} |`,
    `| memory per record (\`MEMORY USAGE\` of record + heartbeat keys) | ${Math.round(fleet.recordBytes)} B |`,
    `| memory per record (\`used_memory\` growth ÷ records, index sets included) | ${Math.round(fleet.perRecordBytes)} B |`,
    ``,
    `${storm.hosts} host processes (each a \`WorkerPool\` with its own host id and loopback address) ask at once for one workerId and model: ${storm.workers} worker${storm.workers === 1 ? "" : "s"} spawned, ${storm.records} record${storm.records === 1 ? "" : "s"}, ${storm.leases} leases on it, all leased ${d(storm.allLeasedMs)} after the common start (the last host was ready ${d(storm.lastReadyMarginMs)} before it; ${cpus().length} cores for 20 hosts, the worker and Redis).`,
  ];
}
