// One brand-new OS process's first reuse decision, as users run one: plain `node`, the packages' built
// dist through their package.json exports (startup.ts compiles this file to JavaScript beside
// node_modules). Prints one JSON line: `total`, the time from the process's start (Node's time origin,
// set before its bootstrap) to the end of the first decision, imports included; and `decision`, that
// decision alone.
//   node new-process-child.js <baseline|floor|modelpool> <path> [floor lease dir]
//   ... --marked: then a second session's decision between two marker syscalls (strace counts between them)
//   ... --alloc <n>: then <n> decisions + releases on one pool, between BEGIN and END (with --trace-gc-nvp)
import { statSync } from "node:fs";
import v8 from "node:v8";
import { TARGET } from "./target.js";

const [mode, path, leaseDir] = process.argv.slice(2) as [string, string, string];
const marked = process.argv.includes("--marked");
const allocIndex = process.argv.indexOf("--alloc");
const allocRuns = allocIndex > 0 ? Number(process.argv[allocIndex + 1]) : 0;
const REQUEST = { workerId: TARGET.workerId, fingerprint: { resolvedModel: TARGET.model } };

/** CPU time of the whole process so far (every thread): steadier than wall time on a busy machine. */
const cpuMs = () => {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
};

/** A syscall strace shows with this name: the bounds of what is counted. */
const mark = (name: string) => statSync(`/modelpool-bench-mark-${name}`, { throwIfNoEntry: false });

if (mode === "baseline") {
  const { naiveFindWorker } = await import("./naive-registry.js");
  const started = performance.now();
  const found = await naiveFindWorker(path, TARGET.workerId, TARGET.model);
  const total = performance.now();
  const cpu = cpuMs();
  if (!found) throw new Error("the baseline found nothing");
  if (marked) {
    mark("begin");
    await naiveFindWorker(path, TARGET.workerId, TARGET.model);
    mark("end");
  }
  console.log(JSON.stringify({ total, decision: total - started, cpuMs: cpu }));
} else if (mode === "floor") {
  const { floorDecision, floorRelease } = await import("./floor.js");
  const dir = `${path}/workers/${TARGET.workerId}`;
  const started = performance.now();
  const lease = floorDecision(dir, leaseDir, "entry-0");
  const total = performance.now();
  const cpu = cpuMs();
  floorRelease(lease);
  if (marked) {
    mark("begin");
    const second = floorDecision(dir, leaseDir, "entry-0");
    mark("end");
    floorRelease(second);
  }
  console.log(JSON.stringify({ total, decision: total - started, cpuMs: cpu }));
} else {
  const { DeviceRegistry, WorkerPool } = await import("@modelpool/core");
  const { ExactModelPolicy } = await import("@modelpool/policy-exact");
  const backend = { name: "bench", spawn: () => Promise.reject(new Error("the bench never spawns")) };
  const newPool = () =>
    new WorkerPool({
      backend,
      registry: new DeviceRegistry({ path, legacySources: false }),
      plugins: [new ExactModelPolicy()],
    });
  const constructed = performance.now();
  const pool = newPool();
  const started = performance.now();
  const lease = await pool.getOrSpawn(REQUEST);
  const total = performance.now();
  const cpu = cpuMs();
  if (lease.decision.outcome !== "reused") throw new Error(lease.decision.reason);
  // The premise, checked on disk: the first decision wrote this process's lease.
  const { heldLeaseEntries, premise } = await import("./leases.js");
  premise(heldLeaseEntries(path, TARGET.workerId) === 1, "a new process's first decision wrote its lease");
  await lease.release();
  await pool.close();
  premise(heldLeaseEntries(path, TARGET.workerId) === 0, "a new process's lease was released");
  if (marked) {
    const second = newPool();
    mark("begin");
    const again = await second.getOrSpawn(REQUEST);
    mark("end");
    premise(heldLeaseEntries(path, TARGET.workerId) === 1, "the marked cold decision wrote its lease");
    await again.release();
    await second.close();
  }
  if (allocRuns > 0) {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error("--alloc needs --expose-gc");
    const longLived = newPool();
    for (let i = 0; i < 1_000; i++) await (await longLived.getOrSpawn(REQUEST)).release();
    gc();
    const rss: number[] = [process.memoryUsage().rss];
    // What is retained (the heap after a forced collection) apart from what V8 and the allocator keep
    // reserved (RSS): the young generation grows with the allocation rate, which RSS shows as growth.
    const heapAfterWarmUp = process.memoryUsage().heapUsed;
    const newSpace = () =>
      v8.getHeapSpaceStatistics().find((space) => space.space_name === "new_space")?.space_size ?? 0;
    const newSpaceAfterWarmUp = newSpace();
    console.log("BEGIN");
    for (let i = 1; i <= allocRuns; i++) {
      const leased = await longLived.getOrSpawn(REQUEST);
      await leased.release();
      if (i % 1_000 === 0) rss.push(process.memoryUsage().rss);
    }
    gc();
    console.log("END");
    const heapAtEnd = process.memoryUsage().heapUsed;
    const newSpaceAtEnd = newSpace();
    premise(heldLeaseEntries(path, TARGET.workerId) === 0, "every lease of the allocation run was released");
    await longLived.close();
    console.log(
      JSON.stringify({ rss, heap: [heapAfterWarmUp, heapAtEnd], newSpace: [newSpaceAfterWarmUp, newSpaceAtEnd] }),
    );
  }
  console.log(JSON.stringify({ total, decision: total - started, construct: started - constructed, cpuMs: cpu }));
}
