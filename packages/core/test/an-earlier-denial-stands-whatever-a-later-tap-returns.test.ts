import { CanReuseStage, InvalidVerdictError, tapReuseOverride, type WorkerPool } from "@modelpool/core";
import {
  runNodeScript,
  SameModelTestPolicy,
  stopRecordedWorkersAfterTest,
  tempRegistryPath,
  testPool,
} from "@modelpool/test-utils";
import { expect, test } from "vitest";

const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

/** A worker "docs"/"m" started by another OS process, which exits leaving it recorded. */
async function workerOfAnotherProcess(): Promise<{ path: string; pid: number }> {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  const { stdout } = await runNodeScript(new URL("./fixtures/request-worker.ts", import.meta.url), [path, "docs", "m"]);
  return { path, pid: (JSON.parse(stdout) as { pid: number }).pid };
}

/** A gate that denies without signing (no `by`): a later policy ignoring the incoming verdict used to overturn it. */
const maintenanceGate = {
  apply(pool: WorkerPool) {
    pool.hooks.canReuse.tapPromise({ name: "MaintenanceGate", stage: CanReuseStage.GATE }, async () => ({
      reuse: false,
      reason: "under maintenance",
    }));
  },
};

test("a denial by an earlier tap stands when a later tap returns an allow without looking at it", {
  timeout: 60_000,
}, async () => {
  const { path, pid } = await workerOfAnotherProcess();
  const pool = testPool({ registry: path, plugins: [maintenanceGate, new SameModelTestPolicy()] });
  const lease = await pool.getOrSpawn(request);
  expect(lease.decision.outcome).toBe("spawned");
  const verdict = lease.decision.considered.find(({ candidate }) => candidate.pid === pid)?.verdict;
  expect(verdict).toMatchObject({ reuse: false, reason: "under maintenance", code: "REUSE_DENIED" });
});

test("a tap registered as an override, and only such a tap, may overturn an earlier denial", {
  timeout: 60_000,
}, async () => {
  const { path, pid } = await workerOfAnotherProcess();
  const smuggler = {
    apply(pool: WorkerPool) {
      pool.hooks.canReuse.tapPromise("Smuggler", async () => ({ reuse: true, reason: "trust me", override: true }));
    },
  };
  const refused = await testPool({ registry: path, plugins: [maintenanceGate, smuggler] }).explain(request);
  expect(refused.outcome).toBe("spawned");

  const operator = {
    apply(pool: WorkerPool) {
      tapReuseOverride(pool, { name: "OperatorAllowList", stage: CanReuseStage.RANKING }, async () => ({
        reuse: true,
        reason: "allowed by the operator",
        code: "OPERATOR_ALLOWED",
        override: true,
      }));
    },
  };
  const allowed = await testPool({ registry: path, plugins: [maintenanceGate, operator] }).explain(request);
  expect(allowed).toMatchObject({ outcome: "reused", worker: { pid } });
});

test("a tap returning undefined fails the request with an InvalidVerdictError naming it", {
  timeout: 60_000,
}, async () => {
  const { path } = await workerOfAnotherProcess();
  const silent = {
    apply(pool: WorkerPool) {
      pool.hooks.canReuse.tapPromise("ReturnsNothing", async () => undefined as never);
    },
  };
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy(), silent] });
  const error = await pool.getOrSpawn(request).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InvalidVerdictError);
  expect(error).toMatchObject({ code: "INVALID_VERDICT", taps: ["ReturnsNothing"] });
});

test("a tap that writes into its candidate or request changes nothing the pool keeps", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  const vandal = {
    apply(pool: WorkerPool) {
      pool.hooks.canReuse.tapPromise("Vandal", async (verdict, { candidate, request: asked }) => {
        Reflect.set(candidate, "pid", 1);
        if (candidate.fingerprint) Reflect.set(candidate.fingerprint, "resolvedModel", "rewritten");
        Reflect.set(asked.fingerprint, "resolvedModel", "rewritten");
        return verdict;
      });
    },
  };
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy(), vandal] });
  const first = await pool.getOrSpawn(request);
  const second = await pool.getOrSpawn(request);
  expect(second.decision.outcome).toBe("reused");
  expect(pool.workers[0]).toMatchObject({ pid: first.worker.pid, fingerprint: { resolvedModel: "m" } });
  expect(second.worker.pid).toBe(first.worker.pid);
});
