// The fleet registry (RedisRegistry on a private redis-server): cross-host reuse decisions beside the
// directory store, a fleet of 1,000 workers on 20 hosts (list time, heartbeat traffic, memory per record),
// and 20 host processes asking at once for one worker.
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  checkRecordLiveness,
  DeviceRegistry,
  processIdentityOf,
  type WorkerBackend,
  WorkerPool,
  type WorkerRecord,
} from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { RedisRegistry, RegistryKeys } from "@modelpool/registry-redis";
import { workersOfModel } from "../packages/test-utils/src/processes-state.js";
import { TestRedisServer } from "../packages/test-utils/src/redis-server.js";
import { START_FILE_ENV } from "../packages/test-utils/src/start-file.js";
import { sample, summarize } from "./stats.js";

/** Decisions only: nothing is probed, nothing is contacted (section 4 measures a real probe). */
const NO_PROBE_BACKEND: WorkerBackend = {
  name: "bench",
  spawn: () => Promise.reject(new Error("the bench never spawns")),
};
const REQUEST = { workerId: "target", fingerprint: { resolvedModel: "openai/gpt-5-mini" } };
const HOSTS = 20;
const WORKERS = 1_000;

export type FleetResults = {
  decision: { redis: Summary; directory: Summary; storeOnly: Summary };
  fleet: {
    workers: number;
    hosts: number;
    scan: Summary;
    heartbeatCommandsPerSecond: number;
    heartbeatPeriodMs: number;
    recordBytes: number;
    perRecordBytes: number;
  };
  storm: {
    hosts: number;
    workers: number;
    records: number;
    leases: number;
    allLeasedMs: number;
    /** How long before the common start the last host was ready (negative: it was late, and the time includes it). */
    lastReadyMarginMs: number;
  };
};
type Summary = { median: number; p95: number };

/**
 * A record of a worker on `host`, whose process is `pid` (alive: the owning host's heartbeat keeps it so).
 * On another host than the deciding pool's, this process will do; on the deciding pool's own host, a
 * record naming the pool's own process is never a candidate, so a process of its own (`sleep`).
 */
function workerRecord(workerId: string, host: string, n: number, pid = process.pid): WorkerRecord {
  const me = processIdentityOf(pid);
  const now = Date.now();
  return {
    kind: "worker",
    id: randomUUID(),
    workerId,
    pid: me.pid,
    ...(me.start === undefined ? {} : { pidStart: me.start }),
    fingerprint: { resolvedModel: "openai/gpt-5-mini", modelPolicy: "dynamic" },
    status: "ready",
    // Never contacted: the bench backend has no probe.
    url: `http://127.0.0.${(n % 250) + 2}:${20_000 + n}`,
    backend: "bench",
    owner: me,
    host,
    startedAt: now,
    updatedAt: now,
  };
}

export async function measureFleet(dir: string): Promise<FleetResults> {
  const server = await TestRedisServer.start();
  const stores: RedisRegistry[] = [];
  // The directory store's workers: a live process that is not this one (ended below, whatever fails).
  const sleeper = spawn("sleep", ["3600"], { stdio: "ignore" });
  try {
    const namespace = "bench";
    const hostStores = Array.from({ length: HOSTS }, (_, h) => {
      const store = new RedisRegistry({ url: server.url, namespace, hostId: `host-${h + 1}` });
      stores.push(store);
      return store;
    });
    // 1,000 workers across 20 hosts; the target is one of them, on host-1.
    await hostStores[0]?.put(workerRecord("target", "host-1", 0));
    const beforeRecords = Number(/used_memory:(\d+)/.exec(server.cli("INFO", "memory"))?.[1]);
    for (let n = 1; n < WORKERS; n++) {
      await hostStores[n % HOSTS]?.put(workerRecord(`role-${n}`, `host-${(n % HOSTS) + 1}`, n));
    }
    const afterRecords = Number(/used_memory:(\d+)/.exec(server.cli("INFO", "memory"))?.[1]);

    // Cross-host decision: a pool on another host (host-0) reuses host-1's worker.
    const here = new RedisRegistry({ url: server.url, namespace, hostId: "host-0" });
    stores.push(here);
    const pool = new WorkerPool({
      backend: NO_PROBE_BACKEND,
      registry: here,
      plugins: [new ExactModelPolicy()],
      allowRemoteUrls: true,
    });
    const redis = summarize(
      await sample(
        1_000,
        async () => {
          const lease = await pool.getOrSpawn(REQUEST);
          if (lease.decision.outcome !== "reused") throw new Error(`expected a reuse, got ${lease.decision.reason}`);
        },
        { warmup: 300 },
      ),
    );
    await pool.settled();
    const storeOnly = summarize(
      await sample(
        1_000,
        async () => {
          const { records } = await here.lookup("target");
          if (!records.some((record) => checkRecordLiveness(record, here.hostId).ok)) throw new Error("not alive");
        },
        { warmup: 300 },
      ),
    );

    // The same decision on the directory store of one machine, same number of records.
    const device = new DeviceRegistry({ path: join(dir, "fleet-directory") });
    const pid = sleeper.pid as number;
    await device.put(workerRecord("target", device.hostId, 0, pid));
    for (let n = 1; n < WORKERS; n++) await device.put(workerRecord(`role-${n}`, device.hostId, n, pid));
    const devicePool = new WorkerPool({
      backend: NO_PROBE_BACKEND,
      registry: device,
      plugins: [new ExactModelPolicy()],
    });
    const directory = summarize(
      await sample(
        1_000,
        async () => {
          const lease = await devicePool.getOrSpawn(REQUEST);
          if (lease.decision.outcome !== "reused") throw new Error(`expected a reuse, got ${lease.decision.reason}`);
        },
        { warmup: 300 },
      ),
    );
    await devicePool.settled();

    // What `modelpool ls` reads: every record with its heartbeat.
    const scan = summarize(
      await sample(20, async () => {
        const read = await here.scan();
        if (read.records.length !== WORKERS) throw new Error(`scan found ${read.records.length}`);
      }),
    );

    // Heartbeat traffic of 20 hosts with 50 workers each, at the default period, over three periods.
    const periodMs = 2_000;
    const calls = () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(server.cli("INFO", "commandstats"))?.[1] ?? 0);
    const callsBefore = calls();
    const windowMs = 3 * periodMs;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const heartbeatCommandsPerSecond = ((calls() - callsBefore) / windowMs) * 1000;

    const keys = new RegistryKeys(namespace);
    const target = (await here.lookup("target")).records[0] as WorkerRecord;
    const recordBytes =
      Number(server.cli("MEMORY", "USAGE", keys.record("target", target.id))) +
      Number(server.cli("MEMORY", "USAGE", keys.heartbeat("target", target.id)));

    const storm = await measureStorm(server);
    return {
      decision: { redis, directory, storeOnly },
      fleet: {
        workers: WORKERS,
        hosts: HOSTS,
        scan,
        heartbeatCommandsPerSecond,
        heartbeatPeriodMs: periodMs,
        recordBytes,
        perRecordBytes: (afterRecords - beforeRecords) / (WORKERS - 1),
      },
      storm,
    };
  } finally {
    sleeper.kill("SIGKILL");
    await Promise.all(stores.map((store) => store.close()));
    await server.stop();
  }
}

/** 20 host processes (each a WorkerPool with its own host id and loopback address) ask at one instant. */
async function measureStorm(server: TestRedisServer): Promise<FleetResults["storm"]> {
  // Replies may take long here (20 host processes, their worker and Redis on a loaded 2-core machine):
  // the storm counts spawns and times the leases, so a slow reply must not end a host at the 1 s default.
  const spec = {
    url: server.url,
    namespace: `storm-${randomUUID()}`,
    commandTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
  };
  // A model of this storm alone: whatever fails, its workers are found by it in /proc and ended (a host
  // that died or a Redis that went away leaves no record to find them by; another run's are never touched).
  const model = `storm-${randomUUID()}`;
  const script = fileURLToPath(new URL("../packages/registry-redis/test/fixtures/fleet-pool-host.ts", import.meta.url));
  // The common start: a file the hosts wait for (test-utils' start file), created once all 20 said "ready".
  const startDir = await mkdtemp(join(tmpdir(), "modelpool-bench-storm-"));
  const startFile = join(startDir, "start");
  let ready = 0;
  let lastReadyAt = 0;
  let startAt = Number.NaN;
  const children = Array.from({ length: HOSTS }, (_, i) =>
    spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@modelpool/source",
        script,
        JSON.stringify(spec),
        `host-${i + 1}`,
        `127.0.0.${i + 2}`,
        model,
      ],
      { env: { ...process.env, [START_FILE_ENV]: startFile }, stdio: ["pipe", "pipe", "inherit"] },
    ),
  );
  try {
    return await stormOutcome(
      children,
      spec,
      () => ({ startAt, lastReadyAt }),
      (at) => {
        lastReadyAt = Math.max(lastReadyAt, at);
        ready += 1;
        if (ready === HOSTS) {
          writeFileSync(startFile, "");
          startAt = Date.now();
        }
      },
    );
  } finally {
    await rm(startDir, { recursive: true, force: true });
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const pid of workersOfModel(model)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

async function stormOutcome(
  children: ChildProcessByStdio<Writable, Readable, null>[],
  spec: { url: string; namespace: string },
  times: () => { startAt: number; lastReadyAt: number },
  sawReady: (at: number) => void,
): Promise<FleetResults["storm"]> {
  const outcomes = await Promise.all(
    children.map(
      (child) =>
        new Promise<{ id: string; at: number }>((resolve, reject) => {
          let out = "";
          child.stdout.on("data", (chunk) => {
            if (!out.includes("ready\n") && `${out}${chunk}`.includes("ready\n")) sawReady(Date.now());
            out += chunk;
            const line = out.split("\n").find((l) => l.startsWith("{"));
            if (line) resolve({ ...(JSON.parse(line) as { id: string }), at: Date.now() });
          });
          child.once("exit", (code) => reject(new Error(`a storm host exited ${code}`)));
        }),
    ),
  );
  const reader = new RedisRegistry({ ...spec, hostId: "observer" });
  const { records } = await reader.lookup("docs");
  await reader.close();
  const leases = (records[0]?.holders ?? []).reduce((sum, holder) => sum + holder.leases, 0);
  const exits = children.map((child) => new Promise((resolve) => child.once("exit", resolve)));
  for (const child of children) child.stdin.write("end\n");
  await Promise.all(exits);
  const { startAt, lastReadyAt } = times();
  return {
    hosts: HOSTS,
    workers: new Set(outcomes.map((o) => o.id)).size,
    records: records.length,
    leases,
    allLeasedMs: Math.max(...outcomes.map((o) => o.at)) - startAt,
    lastReadyMarginMs: startAt - lastReadyAt,
  };
}
