import {
  type ProbeContext,
  type ResolvedWorkerRequest,
  type WorkerBackend,
  type WorkerLease,
  WorkerPool,
} from "@modelpool/core";
import { expectTypeOf, test } from "vitest";

type Profile = { id: string; directory: string };
type Client = { close(): void };

declare const backend: WorkerBackend<Profile, Client>;

test("a pool made with a typed backend takes that context and gives that handle back", () => {
  const pool = new WorkerPool({ backend, registry: false });
  expectTypeOf(pool).toEqualTypeOf<WorkerPool<Profile, Client>>();
  expectTypeOf(pool.getOrSpawn).parameter(0).toHaveProperty("context").toEqualTypeOf<Profile | undefined>();
  expectTypeOf(pool.getOrSpawn).returns.resolves.toEqualTypeOf<WorkerLease<Client>>();
  expectTypeOf<WorkerLease<Client>["handle"]>().toEqualTypeOf<Client | undefined>();
  // @ts-expect-error a context of another shape is refused at compile time
  void pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" }, context: { other: 1 } });
});

test("the backend sees the request's context in spawn and probe", () => {
  expectTypeOf<Parameters<WorkerBackend<Profile, Client>["spawn"]>[0]>().toEqualTypeOf<
    ResolvedWorkerRequest<Profile>
  >();
  expectTypeOf<ResolvedWorkerRequest<Profile>["context"]>().toEqualTypeOf<Profile | undefined>();
  expectTypeOf<ProbeContext<Profile>["context"]>().toEqualTypeOf<Profile | undefined>();
});

test("without type arguments nothing changes: unknown context and handle", () => {
  const pool = new WorkerPool({ backend: {} as WorkerBackend, registry: false });
  expectTypeOf(pool).toEqualTypeOf<WorkerPool>();
  expectTypeOf<WorkerLease["handle"]>().toEqualTypeOf<unknown>();
});
