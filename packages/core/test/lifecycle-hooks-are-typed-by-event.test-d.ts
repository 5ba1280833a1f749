import type {
  DecisionTimings,
  LeasedEvent,
  SpawnFailedEvent,
  StopCause,
  StoppedEvent,
  SupersededAction,
  WorkerPool,
  WorkerRecord,
} from "@modelpool/core";
import { expectTypeOf, test } from "vitest";

declare const pool: WorkerPool;

test("each lifecycle hook is a sync hook of its own event type", () => {
  pool.hooks.stopped.tap("TypeTest", (event) => {
    expectTypeOf(event).toEqualTypeOf<StoppedEvent>();
    expectTypeOf(event.cause).toEqualTypeOf<StopCause>();
    expectTypeOf(event.record).toEqualTypeOf<WorkerRecord>();
    expectTypeOf(event.code).toEqualTypeOf<
      "STOPPED_SUPERSEDED" | "STOPPED_IDLE" | "STOPPED_CAPACITY" | "STOPPED_MANUAL"
    >();
  });
  pool.hooks.leased.tap("TypeTest", (event) => expectTypeOf(event).toEqualTypeOf<LeasedEvent>());
  pool.hooks.spawnFailed.tap("TypeTest", (event) => {
    expectTypeOf(event).toEqualTypeOf<SpawnFailedEvent>();
    expectTypeOf(event.error).toBeUnknown();
  });
  pool.hooks.superseded.tap("TypeTest", (event) => expectTypeOf(event.action).toEqualTypeOf<SupersededAction>());
  pool.hooks.spawnStarted.tap("TypeTest", (event) => {
    // @ts-expect-error a spawn that has only started has no record yet
    void event.record;
  });
});

test("decisions carry their duration and stage timings", () => {
  pool.hooks.decided.tap("TypeTest", (decision) => {
    expectTypeOf(decision.durationMs).toBeNumber();
    expectTypeOf(decision.timings).toEqualTypeOf<DecisionTimings>();
  });
});
