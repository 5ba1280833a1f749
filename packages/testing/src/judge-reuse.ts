import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeviceRegistry,
  identityToRecord,
  type JudgedVerdict,
  type ModelFingerprint,
  type ModelFingerprintInput,
  type PoolPlugin,
  WorkerPool,
} from "@modelpool/core";
import { fingerprint } from "./fingerprint.js";

/** What `judgeReuse` asks the policies about: a request, and the fingerprint the candidate runs (if any). */
export type ReuseQuestion = {
  /** The requested fingerprint: a model id, or a fingerprint (defaults are filled in). */
  requested: string | ModelFingerprintInput;
  /** The candidate's fingerprint; `undefined` stands for a legacy record that never recorded one. */
  running: string | ModelFingerprintInput | undefined;
  /** Default `"docs"`. */
  workerId?: string;
};

/**
 * The verdict `plugins` give one running candidate, decided by a real pool (`pool.explain`, a dry run: the
 * guarded `canReuse` waterfall, stages, the starting "no policy" verdict, shape checks) without spawning
 * anything: the unit test of a policy. The candidate is a `ready` record, in a registry of its own that is
 * removed afterwards, whose process is a `sleep` started for the question and ended after it (alive and
 * verifiable; never the calling process, which a pool never takes for a worker; nothing is signalled by
 * the pool, a dry run).
 */
export async function judgeReuse(plugins: readonly PoolPlugin[], question: ReuseQuestion): Promise<JudgedVerdict> {
  const workerId = question.workerId ?? "docs";
  const dir = await mkdtemp(join(tmpdir(), "modelpool-judge-"));
  const standIn = spawn("sleep", ["3600"], { stdio: "ignore" });
  try {
    await once(standIn, "spawn");
    const pid = standIn.pid as number;
    const registry = new DeviceRegistry({ path: join(dir, "registry"), legacySources: false });
    const running = question.running === undefined ? undefined : resolve(question.running);
    const now = Date.now();
    await registry.put({
      kind: "worker",
      id: `${workerId}-judged`,
      workerId,
      pid,
      ...identityToRecord(pid),
      status: "ready",
      startedAt: now,
      updatedAt: now,
      ...(running ? { fingerprint: running } : {}),
    });
    const pool = new WorkerPool({
      backend: { name: "judge-reuse", spawn: () => Promise.reject(new Error("judgeReuse never spawns")) },
      registry,
      plugins: [...plugins],
    });
    try {
      const decision = await pool.explain({ workerId, fingerprint: resolve(question.requested) });
      const [considered] = decision.considered;
      if (!considered) throw new Error(`judgeReuse: the pool did not consider the candidate (${decision.reason})`);
      return considered.verdict;
    } finally {
      await pool.close();
    }
  } finally {
    standIn.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
}

function resolve(given: string | ModelFingerprintInput): ModelFingerprint {
  return typeof given === "string" ? fingerprint(given) : fingerprint(given.resolvedModel, given);
}
