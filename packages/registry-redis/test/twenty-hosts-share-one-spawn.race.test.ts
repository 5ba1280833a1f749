import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { WorkerRecord } from "@modelpool/core";
import { describe, expect, onTestFinished } from "vitest";
import { raceTest } from "../../test-utils/src/hostile/race.js";
import { startNodeScript } from "../../test-utils/src/node-script.js";
import { isRunning } from "../../test-utils/src/processes-state.js";
import { START_FILE_ENV } from "../../test-utils/src/start-file.js";
import { tempDir } from "../../test-utils/src/temp-files.js";
import { hostAddress } from "./fleet.js";
import { fleetSpec, missingRedis, storeAs, suiteName, useRedisServer } from "./redis.js";

const HOSTS = 20;
const POOL_HOST = new URL("./fixtures/fleet-pool-host.ts", import.meta.url);

type Outcome = { host: string; outcome: string; id: string; workerHost: string; url: string };

describe.skipIf(missingRedis !== undefined)(
  suiteName("pools on 20 hosts ask at once for one workerId and model"),
  () => {
    const server = useRedisServer();

    raceTest(
      "one host spawns, the other 19 share its worker through its URL, and all 20 hold a lease on it",
      { perRunMs: 40_000, defaultRuns: 1 },
      async () => {
        // Heartbeats that lapse only after 20 s unrenewed: a loaded machine may starve the spawner for a few
        // seconds, and a lapsed heartbeat rightly makes its worker dead to the others (a second spawn, as
        // documented) — not what this race is about.
        const spec = fleetSpec(server(), { heartbeatMs: 1_000, heartbeatTtlMs: 20_000 });
        // Start-up of 20 Node processes on a small machine takes a while: all ask at one instant after it
        // (the start file, created once every host said it is ready).
        const startFile = join(await tempDir(), "start");
        const hosts = Array.from({ length: HOSTS }, (_, i) => {
          const child = startNodeScript(POOL_HOST, [JSON.stringify(spec), `host-${i + 1}`, hostAddress(i + 1)], {
            [START_FILE_ENV]: startFile,
            // A probe starved past its timeout by this test's own load rejects the worker and spawns another
            // (documented pool behaviour, not what this test is about): give it room.
            PROBE_TIMEOUT_MS: "30000",
          });
          let out = "";
          let err = "";
          child.stdout?.on("data", (chunk) => {
            out += chunk;
          });
          child.stderr?.on("data", (chunk) => {
            err += chunk;
          });
          const outcome = new Promise<Outcome>((resolve, reject) => {
            const poll = setInterval(() => {
              const line = out.split("\n").find((l) => l.startsWith("{"));
              if (line) {
                clearInterval(poll);
                resolve(JSON.parse(line) as Outcome);
              } else if (child.exitCode !== null) {
                clearInterval(poll);
                reject(new Error(`host-${i + 1} exited ${child.exitCode}: ${err}`));
              }
            }, 20);
          });
          const ready = new Promise<void>((resolve, reject) => {
            const poll = setInterval(() => {
              if (out.startsWith("ready\n")) {
                clearInterval(poll);
                resolve();
              } else if (child.exitCode !== null) {
                clearInterval(poll);
                reject(new Error(`host-${i + 1} exited ${child.exitCode}: ${err}`));
              }
            }, 20);
          });
          return { child, outcome, ready };
        });
        await Promise.all(hosts.map((host) => host.ready));
        await writeFile(startFile, "");
        const outcomes = await Promise.all(hosts.map((host) => host.outcome));
        const reader = storeAs(spec, "observer");
        const records = (await reader.lookup("docs")).records;
        onTestFinished(() => {
          for (const record of records) if (isRunning(record.pid)) process.kill(record.pid, "SIGKILL");
        });

        // Exactly one worker exists and every host holds it. Hosts that waited for that spawn report it as
        // "spawned" too (they joined it); none started a worker of its own.
        const ids = new Set(outcomes.map((o) => o.id));
        expect(ids.size, JSON.stringify(outcomes, null, 1)).toBe(1);
        expect(records).toHaveLength(1);
        const only = outcomes.find((o) => o.host === o.workerHost) as Outcome;
        expect(new Set(outcomes.map((o) => o.workerHost))).toEqual(new Set([only.host]));
        expect(outcomes.every((o) => o.outcome === "spawned" || o.outcome === "reused")).toBe(true);
        // Served on its own host's address: the spawner's loopback address, 127.0.0.(n+1).
        expect(only.url).toContain(hostAddress(Number(only.host.replace("host-", ""))));
        expect(records.map((r) => r.id)).toEqual([only.id]);
        const holders = (records[0] as WorkerRecord).holders ?? [];
        expect(holders.reduce((sum, holder) => sum + holder.leases, 0)).toBe(HOSTS);

        const exits = hosts.map((host) => new Promise((resolve) => host.child.once("exit", resolve)));
        for (const host of hosts) host.child.stdin?.write("end\n");
        await Promise.all(exits);
      },
    );
  },
);
