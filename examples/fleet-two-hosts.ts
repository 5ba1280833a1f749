// Two "hosts" sharing one Redis: host A spawns a worker on its own address and keeps its heartbeat going;
// host B finds it in the fleet registry, confirms it with a probe through its URL and reuses it. Each host
// is its own OS process with its own host id and loopback address (127.0.0.2, 127.0.0.3).
//   redis-server --port 6379 --save '' --appendonly no      (any Redis; REDIS_URL points elsewhere)
//   node --import tsx examples/fleet-two-hosts.ts
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { RedisRegistry } from "@modelpool/registry-redis";
import { modelServerBackend } from "./worker/backend.js";

const [role, namespace, hostId, address] = process.argv.slice(2);
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

if (role === "host" && namespace && hostId && address) {
  const registry = new RedisRegistry({ url, namespace, hostId });
  const pool = new WorkerPool({
    backend: modelServerBackend({ env: { WORKER_HOST: address } }),
    registry,
    plugins: [new ExactModelPolicy()],
    // Another host's worker is reached through its URL: allowed here, and confirmed by a probe first.
    allowRemoteUrls: true,
  });
  const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "model-a" } });
  const { worker, decision } = lease;
  console.log(`${hostId}: ${decision.outcome} worker ${worker.url} on ${worker.host} — ${decision.reason}`);
  // Host A stays up (its heartbeat keeps the worker alive for the fleet) until the parent says "end".
  for await (const line of createInterface({ input: process.stdin })) if (line === "end") break;
  // Done with it: a lease still held (from any host) keeps its worker running — stopAll would only drain it.
  await lease.release();
  await pool.stopAll(); // stops only what this host spawned
  await registry.close();
  process.exit(0); // stdin is still open
} else {
  const ns = `fleet-example-${randomUUID().slice(0, 8)}`;
  const host = (id: string, addr: string) =>
    spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "host", ns, id, addr], {
      stdio: ["pipe", "pipe", "inherit"],
    });
  const firstLine = (child: ReturnType<typeof host>) =>
    new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`a host exited with ${code}`)));
    });
  const a = host("host-a", "127.0.0.2");
  console.log(await firstLine(a));
  const b = host("host-b", "127.0.0.3");
  console.log(await firstLine(b));
  for (const child of [b, a]) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stdin.write("end\n");
    await exited;
  }
  // This example leaves no keys behind: every record was removed when its host stopped its worker.
  const check = new RedisRegistry({ url, namespace: ns, hostId: "example" });
  console.log(`records left in namespace ${ns}: ${(await check.list()).length}`);
  await check.close();
}
