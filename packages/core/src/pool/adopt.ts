import { randomUUID } from "node:crypto";
import { AdoptRefusedError } from "../errors/AdoptRefusedError.js";
import { readLiveProcess } from "../process/process-identity.js";
import { protectedTargetReason } from "../process/protected-targets.js";
import { identityToRecord } from "../process/recorded-identity.js";
import type { ResolvedAdoptInput } from "../schema/adopt.js";
import { FINGERPRINT_SCHEME } from "../schema/fingerprint-scheme.js";
import type { ProcessIdentity, WorkerRecord } from "../schema/worker-record.js";

/**
 * The record of a running process the application started itself, identified now (pid + start time read
 * from the OS at this moment, as for a worker the pool spawned), or an AdoptRefusedError: a pid that is not
 * running, a zombie, one whose start time cannot be read (it could never be told from a recycled pid), or
 * one this process never signals (pid ≤ 1, itself, an ancestor, its own group's or session's leader) —
 * the adopting pool stops what it adopted, so it may adopt only what it may stop.
 */
export function adoptedRecord(
  input: ResolvedAdoptInput,
  owner: { self: ProcessIdentity; hostId: string | undefined; backend: string },
): WorkerRecord {
  const refuse = (reason: string) => new AdoptRefusedError(input.workerId, input.pid, reason);
  const protectedReason = protectedTargetReason(input.pid);
  if (protectedReason) throw refuse(protectedReason);
  const live = readLiveProcess(input.pid);
  if (!live.running) throw refuse(live.reason);
  if (live.zombie) throw refuse("it has exited (zombie)");
  const identity = identityToRecord(input.pid);
  if (process.platform === "linux" && identity.pidStart === undefined) throw refuse("its start time cannot be read");
  const now = Date.now();
  return {
    kind: "worker",
    id: randomUUID(),
    workerId: input.workerId,
    pid: input.pid,
    ...identity,
    fingerprint: input.fingerprint,
    fingerprintScheme: FINGERPRINT_SCHEME,
    status: "ready",
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.port !== undefined ? { port: input.port } : {}),
    ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
    backend: owner.backend,
    owner: owner.self,
    ...(owner.hostId !== undefined ? { host: owner.hostId } : {}),
    // When the process really started, where the OS tells: a legacy reader's start window is judged by it.
    startedAt: live.startedAtMs ?? now,
    updatedAt: now,
  };
}

/** Whether two records are the same process: same pid and the same start-time token. */
export function sameProcess(a: WorkerRecord, b: WorkerRecord): boolean {
  return a.pid === b.pid && a.pidStart !== undefined && a.pidStart === b.pidStart;
}
