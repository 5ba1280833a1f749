// The public types are plain TypeScript so that code using them (a third-party policy, a backend) does
// not depend on core's zod version. The schemas still validate at run time: these tests fail the
// typecheck the moment a type and its schema disagree, in either direction.
import type {
  LeaseHolder,
  LeaseHolderSchema,
  ModelFingerprint,
  ModelFingerprintInput,
  ModelFingerprintSchema,
  ModelPolicy,
  ModelPolicySchema,
  ProbeResult,
  ProbeResultSchema,
  ProcessIdentity,
  ProcessIdentitySchema,
  ResolvedWorkerRequest,
  ReuseVerdict,
  ReuseVerdictSchema,
  SpawnedWorker,
  SpawnedWorkerSchema,
  SupersededAction,
  SupersededActionSchema,
  WorkerPoolOptions,
  WorkerPoolOptionsSchema,
  WorkerRecord,
  WorkerRecordSchema,
  WorkerRequest,
  WorkerRequestSchema,
  WorkerStatus,
  WorkerStatusSchema,
} from "@modelpool/core";
import { expectTypeOf, test } from "vitest";
import type { z } from "zod";

test("request, fingerprint and verdict types are exactly what their schemas accept and produce", () => {
  expectTypeOf<z.input<typeof WorkerRequestSchema>>().toEqualTypeOf<WorkerRequest>();
  expectTypeOf<z.output<typeof WorkerRequestSchema>>().toEqualTypeOf<ResolvedWorkerRequest>();
  expectTypeOf<z.input<typeof ModelFingerprintSchema>>().toEqualTypeOf<ModelFingerprintInput>();
  expectTypeOf<z.output<typeof ModelFingerprintSchema>>().toEqualTypeOf<ModelFingerprint>();
  expectTypeOf<z.output<typeof ModelPolicySchema>>().toEqualTypeOf<ModelPolicy>();
  expectTypeOf<z.output<typeof ReuseVerdictSchema>>().toEqualTypeOf<ReuseVerdict>();
});

test("pool options are exactly what WorkerPoolOptionsSchema accepts", () => {
  expectTypeOf<z.input<typeof WorkerPoolOptionsSchema>>().toEqualTypeOf<WorkerPoolOptions>();
  expectTypeOf<z.output<typeof SupersededActionSchema>>().toEqualTypeOf<SupersededAction>();
});

test("backend results and worker records are exactly what their schemas produce", () => {
  expectTypeOf<z.output<typeof SpawnedWorkerSchema>>().toEqualTypeOf<SpawnedWorker>();
  expectTypeOf<z.output<typeof ProbeResultSchema>>().toEqualTypeOf<ProbeResult>();
  expectTypeOf<z.output<typeof WorkerRecordSchema>>().toEqualTypeOf<WorkerRecord>();
  expectTypeOf<z.output<typeof WorkerStatusSchema>>().toEqualTypeOf<WorkerStatus>();
  expectTypeOf<z.output<typeof LeaseHolderSchema>>().toEqualTypeOf<LeaseHolder>();
  expectTypeOf<z.output<typeof ProcessIdentitySchema>>().toEqualTypeOf<ProcessIdentity>();
});
