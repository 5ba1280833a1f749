/** The spans this plugin starts. */
export const SpanName = Object.freeze({
  /** One per decision (`getOrSpawn`, and `explain` with `modelpool.decision.dry_run`), back-dated to its start. */
  DECISION: "modelpool.decision",
  /** One per spawn of this pool, from `spawnStarted` to `spawnReady` or `spawnFailed`. */
  SPAWN: "modelpool.spawn",
});

/** The metrics it records. Every attribute is a bounded value (codes, outcomes, causes), never a model name. */
export const MetricName = Object.freeze({
  /** Counter: decisions, by `modelpool.decision.outcome` and `modelpool.decision.code` (dry runs not counted). */
  DECISIONS: "modelpool.decisions",
  /** Histogram (s): how long each decision took, by outcome. */
  DECISION_DURATION: "modelpool.decision.duration",
  /** Counter: requests that reused a running worker. Hit rate: hits ÷ (hits + misses). */
  REUSE_HITS: "modelpool.reuse.hits",
  /** Counter: requests that had to spawn (or join a spawn) because no running worker could be reused. */
  REUSE_MISSES: "modelpool.reuse.misses",
  /** Counter: candidates denied, by `modelpool.denial.by` and `modelpool.denial.code`. */
  DENIALS: "modelpool.denials",
  /** Histogram (s): how long a spawn took, by `modelpool.spawn.result` (`ready` or `failed`) and code. */
  SPAWN_DURATION: "modelpool.spawn.duration",
  /** UpDownCounter: leases held now. */
  LEASES_ACTIVE: "modelpool.leases.active",
  /** Counter: workers stopped by the pool, by `modelpool.stop.cause`; workers found exited count as `exited`. */
  WORKERS_STOPPED: "modelpool.workers.stopped",
});

/** Attribute keys. */
export const Attr = Object.freeze({
  WORKER_ID: "modelpool.worker_id",
  WORKER_PID: "modelpool.worker.pid",
  RECORD_ID: "modelpool.worker.record_id",
  OUTCOME: "modelpool.decision.outcome",
  CODE: "modelpool.decision.code",
  SHARED: "modelpool.decision.shared",
  DRY_RUN: "modelpool.decision.dry_run",
  CANDIDATES: "modelpool.decision.candidates",
  DENIAL_BY: "modelpool.denial.by",
  DENIAL_CODE: "modelpool.denial.code",
  SPAWN_RESULT: "modelpool.spawn.result",
  SPAWN_CODE: "modelpool.spawn.code",
  STOP_CAUSE: "modelpool.stop.cause",
});
