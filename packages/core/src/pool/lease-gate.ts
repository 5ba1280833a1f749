import { checkRecordLiveness } from "../process/record-liveness.js";
import { checkRecordedProcess } from "../process/recorded-process.js";
import { fingerprintKey } from "../schema/fingerprint.js";
import { readRecordedFingerprint } from "../schema/fingerprint-scheme.js";
import type { ResolvedWorkerRequest } from "../schema/request.js";
import { type JudgedVerdict, VerdictCode } from "../schema/verdict.js";
import type { WorkerRecord } from "../schema/worker-record.js";
import type { HealthProber } from "./health-prober.js";
import type { CandidateSource } from "./hooks.js";
import { isLoopbackUrl } from "./loopback.js";
import type { ReuseJudge } from "./reuse-judge.js";

/** A record on its way through the gate: the record (as the gate last saw it) and the verdict so far. */
export type GateEntry = { candidate: WorkerRecord; readonly source: CandidateSource; verdict: JudgedVerdict };

/** What the gate needs of its pool. */
export type GateDependencies = {
  /** The registry's host id (liveness of other hosts' records is their heartbeat); undefined without a registry. */
  readonly hostId: string | undefined;
  readonly allowRemoteUrls: boolean;
  readonly judge: ReuseJudge;
  readonly prober: HealthProber;
  /** Whether a worker is past its idle TTL with no lease held on it (the sweep will stop it any moment). */
  readonly idleExpired: (record: WorkerRecord) => boolean;
};

export const POOL_SIGNATURE = "modelpool";

/**
 * The one place that decides whether a record may be leased by a request. Every path that hands out a
 * worker — this pool's own workers, registry records, a spawn joined in this process, another process's
 * finished spawn — calls `admit`; a refused record goes into `considered` with the gate's verdict.
 *
 * In order: the worker is the recorded process and alive (its heartbeat, on another host), not draining
 * (as the registry has it: another process may have marked it), not past its idle TTL, its fingerprint
 * scheme readable, its URL allowed, every policy allows (judged against the live model when a recent
 * probe reported one), and a probe finds it healthy — with the live model it reports judged again and
 * remembered.
 */
export class LeaseGate {
  readonly #deps: GateDependencies;

  constructor(deps: GateDependencies) {
    this.#deps = deps;
  }

  /**
   * The checks that need no probe, then the policies. Cheap enough to run on every candidate before
   * ranking them; `admit` runs it too when it was not run in this decision.
   */
  async judge(
    record: WorkerRecord,
    source: CandidateSource,
    request: ResolvedWorkerRequest,
    signal: AbortSignal | undefined,
  ): Promise<GateEntry> {
    const refused = this.#refusal(record, source);
    if (refused) return { candidate: record, source, verdict: refused };
    const scheme = record.fingerprint
      ? readRecordedFingerprint(record.fingerprint, record.fingerprintScheme)
      : undefined;
    if (scheme && "unreadable" in scheme) {
      return {
        candidate: record,
        source,
        verdict: deny(VerdictCode.SCHEME_UNREADABLE, `cannot be matched: ${scheme.unreadable}`),
      };
    }
    const live = this.#deps.prober.liveFingerprint(record.id);
    const fingerprint = live ?? (scheme && "fingerprint" in scheme ? scheme.fingerprint : undefined);
    const candidate = fingerprint && fingerprint !== record.fingerprint ? { ...record, fingerprint } : record;
    const verdict = await this.#deps.judge.judge(request, candidate, source, signal);
    return { candidate, source, verdict };
  }

  /**
   * Whether the entry may be leased now: `judge` (unless this decision just did), then a probe. Updates
   * `entry` in place with the final verdict; true when it may be leased.
   */
  async admit(
    entry: GateEntry,
    request: ResolvedWorkerRequest,
    signal: AbortSignal | undefined,
    judged: boolean,
  ): Promise<boolean> {
    if (!judged) Object.assign(entry, await this.judge(entry.candidate, entry.source, request, signal));
    if (!entry.verdict.reuse) return false;
    const probe = await this.#deps.prober.probe(entry.candidate, signal, request.context);
    if (!probe.healthy) {
      entry.verdict = deny(VerdictCode.PROBE_FAILED, `probe failed: ${probe.reason ?? "unhealthy"}`);
      return false;
    }
    // A real probe takes time: the worker may have died meanwhile, and a lease on a dead worker is worse
    // than a spawn. (Without a probe, the check in `judge` is still fresh.)
    const stillThere = probe.asked ? this.#alive(entry.candidate) : { ok: true as const };
    if (!stillThere.ok) {
      entry.verdict = deny(VerdictCode.PROCESS_GONE, `exited after its probe: ${stillThere.reason}`);
      return false;
    }
    const live = probe.fingerprint;
    const recorded = entry.candidate.fingerprint;
    if (live && (!recorded || fingerprintKey(live) !== fingerprintKey(recorded))) {
      // The worker's own word on its model beats what the registry remembers (and the prober keeps it).
      entry.candidate = { ...entry.candidate, fingerprint: live };
      const verdict = await this.#deps.judge.judge(request, entry.candidate, entry.source, signal);
      entry.verdict = verdict.reuse
        ? verdict
        : { ...verdict, reason: `its live model is ${live.resolvedModel}: ${verdict.reason}` };
      return verdict.reuse;
    }
    return true;
  }

  /** Why the record may not be leased whatever the policies say, or undefined. */
  #refusal(record: WorkerRecord, source: CandidateSource): JudgedVerdict | undefined {
    const alive = this.#alive(record);
    if (!alive.ok) return deny(VerdictCode.PROCESS_GONE, alive.reason);
    if (record.status !== "ready" && record.status !== "busy") {
      return deny(VerdictCode.PROCESS_GONE, `its status is ${record.status}`);
    }
    if (record.draining) {
      return deny(VerdictCode.DRAINING, "it was superseded and is draining: it stops once its leases are released");
    }
    if (this.#deps.idleExpired(record)) {
      return deny(VerdictCode.IDLE_EXPIRED, "it has been idle past its idle TTL and is about to be stopped");
    }
    // Another host's worker is reached through its URL only, and only with allowRemoteUrls, whatever the URL
    // says: a loopback address there is that host's (it answers here only where hosts share a network, as
    // several simulated hosts on one machine do), and the probe that follows checks the live model.
    const { hostId } = this.#deps;
    if (hostId !== undefined && record.host !== undefined && record.host !== hostId) {
      if (record.url === undefined) {
        return deny(VerdictCode.URL_NOT_ALLOWED, `it runs on host ${record.host} and records no URL to reach it by`);
      }
      if (!this.#deps.allowRemoteUrls) {
        return deny(VerdictCode.URL_NOT_ALLOWED, `it runs on host ${record.host} (allowRemoteUrls is off)`);
      }
    }
    // A worker this pool spawned has the URL its own backend gave; a record from the registry could point anywhere.
    if (
      source === "registry" &&
      record.url !== undefined &&
      !this.#deps.allowRemoteUrls &&
      !isLoopbackUrl(record.url)
    ) {
      return deny(VerdictCode.URL_NOT_ALLOWED, `its URL ${record.url} is not on this machine (allowRemoteUrls is off)`);
    }
    return undefined;
  }

  /** Whether a worker is still running: by its process on this host, by its heartbeat on another. */
  #alive(record: WorkerRecord) {
    const hostId = this.#deps.hostId;
    return hostId === undefined ? checkRecordedProcess(record) : checkRecordLiveness(record, hostId);
  }
}

function deny(code: string, reason: string): JudgedVerdict {
  return { reuse: false, reason, code, by: POOL_SIGNATURE };
}
