import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ResolvedWorkerRequest, type WorkerBackend, WorkerPool } from "@modelpool/core";
import { isRunning, modelWorkerBackend, SameModelTestPolicy, tempRegistryPath } from "@modelpool/test-utils";
import { expect, expectTypeOf, test } from "vitest";

type Profile = { profileId: string; directory: string };
type Client = { profile: Profile; pid: number };

test("a request's context reaches the backend's spawn and probe, and the spawn's handle comes back on its lease, never written to the registry", async () => {
  const inner = modelWorkerBackend({ name: "with-context" });
  const spawnedWith: unknown[] = [];
  const probedWith: unknown[] = [];
  const backend: WorkerBackend<Profile, Client> = {
    name: "with-context",
    async spawn(request: ResolvedWorkerRequest<Profile>, context) {
      spawnedWith.push(request.context);
      const worker = await inner.spawn(request, context);
      return { ...worker, handle: { profile: request.context as Profile, pid: worker.pid } };
    },
    async probe(record, context) {
      probedWith.push(context.context);
      return inner.probe ? inner.probe(record, context) : { healthy: true };
    },
    stop: (record) => inner.stop?.(record) ?? Promise.resolve(),
  };
  const path = await tempRegistryPath();
  const pool = new WorkerPool({ backend, registry: path, plugins: [new SameModelTestPolicy()], healthyForMs: 0 });
  try {
    const first: Profile = { profileId: "docs-profile", directory: "/tmp/secret-directory-never-written" };
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" }, context: first });
    expectTypeOf(lease.handle).toEqualTypeOf<Client | undefined>();
    expect(spawnedWith).toEqual([first]);
    expect(spawnedWith[0]).toBe(first); // the same object, not a copy
    expect(lease.handle).toEqual({ profile: first, pid: lease.worker.pid });
    expect(lease.handle?.profile).toBe(first);
    await lease.release();

    const second: Profile = { profileId: "docs-profile", directory: "/tmp/other" };
    const again = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" }, context: second });
    expect(again.decision.outcome).toBe("reused");
    expect(probedWith).toContain(second);
    expect(again.handle).toBe(lease.handle); // the spawning pool gives the same handle back on every lease
    await again.release();

    const files = await readdir(join(path, "workers", "docs"));
    const written = await Promise.all(files.map((file) => readFile(join(path, "workers", "docs", file), "utf8")));
    expect(written.join("")).not.toContain("secret-directory-never-written");
    expect(written.join("")).not.toContain("docs-profile");
  } finally {
    const stopped = await pool.stopAll();
    for (const record of stopped) expect(isRunning(record.pid)).toBe(false);
  }
});

test("a worker this pool did not spawn has no handle", async () => {
  const path = await tempRegistryPath();
  const spawner = new WorkerPool({
    backend: {
      ...modelWorkerBackend(),
      spawn: async (r, c) => ({ ...(await modelWorkerBackend().spawn(r, c)), handle: "mine" }),
    },
    registry: path,
    plugins: [new SameModelTestPolicy()],
  });
  const other = new WorkerPool({ backend: modelWorkerBackend(), registry: path, plugins: [new SameModelTestPolicy()] });
  try {
    const lease = await spawner.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
    expect(lease.handle).toBe("mine");
    await lease.release();
    const elsewhere = await other.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" } });
    expect(elsewhere.decision.outcome).toBe("reused");
    expect(elsewhere.handle).toBeUndefined();
    await elsewhere.release();
  } finally {
    await other.close();
    await spawner.stopAll();
  }
});

test("a context is the application's: a cycle, a function or a large object passes through as it is", async () => {
  const inner = modelWorkerBackend();
  let seen: unknown;
  const pool = new WorkerPool({
    backend: {
      ...inner,
      spawn: (request, context) => {
        seen = request.context;
        return inner.spawn(request, context);
      },
    },
    registry: false,
  });
  const context: Record<string, unknown> = { spawn: () => undefined, big: Array.from({ length: 5_000 }, (_, i) => i) };
  context.self = context;
  try {
    const lease = await pool.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m1" }, context });
    expect(seen).toBe(context);
    await lease.release();
  } finally {
    await pool.stopAll();
  }
});
