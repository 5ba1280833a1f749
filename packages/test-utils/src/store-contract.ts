import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ClaimAttempt,
  processIdentityOf,
  type RecordRef,
  type RegistryStore,
  type WorkerRecord,
} from "@modelpool/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { startNodeScript } from "./node-script.js";
import { moduleForScript } from "./script-bundles.js";

/**
 * How the contract reaches one store implementation. `opener` is a module exporting
 * `openStore(spec: string, hostId: string): Promise<RegistryStore>`, so that child processes open the same
 * store as the test; `freshSpec` makes empty storage for one test (and cleans it up).
 */
export type StoreContractSubject = {
  readonly opener: URL;
  freshSpec(): Promise<string>;
  /** Makes the stored value of record `ref` unreadable (not JSON), bypassing the store. */
  corruptRecord(spec: string, ref: RecordRef): Promise<void>;
};

const HOST = "contract-host";
const CHILD = new URL("./store-contract-child.ts", import.meta.url);

/** Every `RegistryStore` passes these: the interface's TSDoc, as tests with real OS processes. */
export function describeRegistryStoreContract(name: string, subject: StoreContractSubject): void {
  const open = async (spec: string): Promise<RegistryStore> => {
    const { openStore } = (await import(subject.opener.href)) as {
      openStore(spec: string, hostId: string): Promise<RegistryStore>;
    };
    const store = await openStore(spec, HOST);
    onTestFinished(() => store.close?.());
    return store;
  };
  const fresh = async () => {
    const spec = await subject.freshSpec();
    return { spec, store: await open(spec) };
  };

  describe(`${name} honours the RegistryStore contract`, () => {
    it("lookup returns the records of that workerId and no other", async () => {
      const { store } = await fresh();
      for (const [workerId, id] of [
        ["docs", "a"],
        ["docs", "b:c"],
        ["doc", "d"],
        ["docs:b", "c"],
        ["döcs *?[", "e"],
      ] as const) {
        await store.put(record(workerId, id));
      }
      const read = await store.lookup("docs");
      expect(read.records.map((r) => r.id).sort()).toEqual(["a", "b:c"]);
      expect(read.records.every((r) => r.workerId === "docs")).toBe(true);
      expect((await store.lookup("döcs *?[")).records.map((r) => r.id)).toEqual(["e"]);
      expect((await store.lookup("nobody")).records).toEqual([]);
    });

    it("list and scan return every record", async () => {
      const { store } = await fresh();
      await store.put(record("docs", "a"));
      await store.put(record("coder", "b"));
      const ids = (await store.list()).map((r) => `${r.workerId}/${r.id}`).sort();
      expect(ids).toEqual(["coder/b", "docs/a"]);
      const scanned = await store.scan();
      expect(scanned.records.map((r) => `${r.workerId}/${r.id}`).sort()).toEqual(["coder/b", "docs/a"]);
      expect(scanned.unreadable).toEqual([]);
    });

    it("put replaces a record whole", async () => {
      const { store } = await fresh();
      await store.put({ ...record("docs", "a"), lastError: "first" });
      const stored = await store.put({ ...record("docs", "a"), status: "busy" });
      expect(stored).toMatchObject({ workerId: "docs", id: "a", status: "busy" });
      const [only, ...others] = (await store.lookup("docs")).records;
      expect(others).toEqual([]);
      expect(only?.status).toBe("busy");
      expect(only?.lastError).toBeUndefined();
    });

    it("update changes one record and returns it; a missing record gives undefined", async () => {
      const { store } = await fresh();
      await store.put(record("docs", "a"));
      const updated = await store.update({ workerId: "docs", id: "a" }, (r) => ({ ...r, draining: true }));
      expect(updated?.draining).toBe(true);
      expect((await store.lookup("docs")).records[0]?.draining).toBe(true);
      expect(await store.update({ workerId: "docs", id: "missing" }, (r) => r)).toBeUndefined();
      const unchanged = await store.update({ workerId: "docs", id: "a" }, () => undefined);
      expect(unchanged?.draining).toBe(true);
    });

    it("update loses no increment when 8 OS processes update one record at once", async () => {
      const { spec, store } = await fresh();
      await store.put(record("docs", "counted"));
      const outputs = await inChildren(8, spec, ["increment", "docs", "counted", "25"]);
      expect(outputs.every((line) => JSON.parse(line).done === 25)).toBe(true);
      const [after] = (await store.lookup("docs")).records;
      expect(after?.counter).toBe(200);
    });

    it("hold sets one entry per process among the record's holders, and an update after it sees it", async () => {
      const { store } = await fresh();
      if (!store.hold) throw new Error(`${name} has no hold: the pool would fall back to update`);
      const ref = { workerId: "docs", id: "a" };
      await store.put(record("docs", "a"));
      const me = processIdentityOf(process.pid);
      const entry = (leases: number) => ({ ...me, pool: "process", leases, lastUsedAt: Date.now() });
      const held = await store.hold(ref, entry(2));
      expect(held?.holders).toEqual([expect.objectContaining({ pid: me.pid, leases: 2 })]);
      await store.hold(ref, entry(0));
      const [after] = (await store.lookup("docs")).records;
      expect(after?.holders).toEqual([expect.objectContaining({ pid: me.pid, leases: 0 })]);
      let seen: unknown;
      await store.update(ref, (current) => {
        seen = current.holders;
        return undefined;
      });
      expect(seen).toEqual([expect.objectContaining({ pid: me.pid, leases: 0 })]);
    });

    it("hold resolves to the record as it stands (a stopped one is seen stopped), and to undefined without one", async () => {
      const { store } = await fresh();
      if (!store.hold) throw new Error(`${name} has no hold: the pool would fall back to update`);
      const me = processIdentityOf(process.pid);
      const entry = { ...me, pool: "process", leases: 1, lastUsedAt: Date.now() };
      await store.put(record("docs", "a"));
      await store.update({ workerId: "docs", id: "a" }, (current) => ({ ...current, status: "stopped" }));
      expect((await store.hold({ workerId: "docs", id: "a" }, entry))?.status).toBe("stopped");
      expect(await store.hold({ workerId: "docs", id: "missing" }, entry)).toBeUndefined();
      expect(await store.hold({ workerId: "nobody", id: "missing" }, entry)).toBeUndefined();
      const read = await store.scan();
      expect(read.records.map((r) => r.id)).toEqual(["a"]);
      expect(read.unreadable).toEqual([]);
    });

    it("remove deletes one record and says whether it was there", async () => {
      const { store } = await fresh();
      await store.put(record("docs", "a"));
      await store.put(record("docs", "b"));
      expect(await store.remove({ workerId: "docs", id: "a" })).toBe(true);
      expect(await store.remove({ workerId: "docs", id: "a" })).toBe(false);
      expect((await store.lookup("docs")).records.map((r) => r.id)).toEqual(["b"]);
      expect(await store.remove({ workerId: "docs", id: "b" })).toBe(true);
      expect(await store.list()).toEqual([]);
    });

    it("a claim raced by 8 OS processes has exactly one winner", async () => {
      const { spec, store } = await fresh();
      let held: Awaited<ReturnType<RegistryStore["readClaim"]>>;
      // Read while the children live: a claim whose owner exited may rightly be free again.
      const lines = await inChildren(8, spec, ["claim", "docs|model-a", "docs"], async () => {
        held = await store.readClaim("docs|model-a");
      });
      const attempts = lines.map((line) => JSON.parse(line) as ClaimAttempt);
      const winners = attempts.filter((attempt) => attempt.acquired);
      expect(winners).toHaveLength(1);
      const token = winners[0]?.acquired ? winners[0].claim.token : "";
      for (const attempt of attempts) {
        if (!attempt.acquired) expect("holder" in attempt && attempt.holder.token).toBe(token);
      }
      expect(held && "token" in held && held.token).toBe(token);
    });

    it("an expired claim of another host is taken over (its expiry is the only signal that host renews)", async () => {
      const { store } = await fresh();
      const remote = { ...owner(), host: `${HOST}-elsewhere` };
      const first = await store.acquireClaim({ key: "k", workerId: "docs", owner: remote, ttlMs: 150 });
      expect(first.acquired).toBe(true);
      expect((await store.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 150 })).acquired).toBe(
        false,
      );
      await sleep(400);
      const second = await store.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 10_000 });
      expect(second.acquired).toBe(true);
    });

    it("the claim of an owner that died reads as free and is taken over at once", async () => {
      const { store } = await fresh();
      const dead = await deadProcessIdentity();
      const first = await store.acquireClaim({
        key: "k",
        workerId: "docs",
        owner: { ...dead, host: store.hostId },
        ttlMs: 60_000,
      });
      expect(first.acquired).toBe(true);
      // Waiters that poll readClaim see it free, so they come to take it over.
      expect(await store.readClaim("k")).toBeUndefined();
      const second = await store.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 60_000 });
      expect(second.acquired).toBe(true);
      if (second.acquired && first.acquired) expect(second.replaced?.token).toBe(first.claim.token);
    });

    it("renew and release work only with the holder's token", async () => {
      const { store } = await fresh();
      const attempt = await store.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 60_000 });
      if (!attempt.acquired) throw new Error("not acquired");
      const impostor = { ...attempt.claim, token: "someone-else" };
      expect(await store.renewClaim(impostor, 60_000)).toBeUndefined();
      await store.releaseClaim(impostor);
      const still = await store.readClaim("k");
      expect(still && "token" in still && still.token).toBe(attempt.claim.token);
      const renewed = await store.renewClaim(attempt.claim, 120_000);
      expect(renewed?.token).toBe(attempt.claim.token);
      expect(renewed?.expiresAt).toBeGreaterThan(attempt.claim.expiresAt);
      await store.releaseClaim(attempt.claim);
      expect(await store.readClaim("k")).toBeUndefined();
      expect((await store.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 1_000 })).acquired).toBe(
        true,
      );
    });

    it("a claim released with a failure makes everyone share it until its back-off ends", async () => {
      const { spec, store } = await fresh();
      const other = await open(spec);
      const attempt = await store.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 60_000 });
      if (!attempt.acquired) throw new Error("not acquired");
      await store.releaseClaim(attempt.claim, { failure: { message: "model crashed", backoffMs: 400 } });
      const shared = await other.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 60_000 });
      expect(!shared.acquired && "failed" in shared && shared.failed.message).toBe("model crashed");
      const read = await other.readClaim("k");
      expect(read && "message" in read && read.message).toBe("model crashed");
      await sleep(600);
      expect((await other.acquireClaim({ key: "k", workerId: "docs", owner: owner(), ttlMs: 60_000 })).acquired).toBe(
        true,
      );
    });

    it("an unreadable record is reported, kept and never returned as a record", async () => {
      const { spec, store } = await fresh();
      await store.put(record("docs", "good"));
      await store.put(record("docs", "bad"));
      await subject.corruptRecord(spec, { workerId: "docs", id: "bad" });
      for (const read of [await store.lookup("docs"), await store.scan(), await store.lookup("docs")]) {
        expect(read.records.map((r) => r.id)).toEqual(["good"]);
        expect(read.unreadable).toHaveLength(1);
        expect(read.unreadable[0]?.reason).toBeTruthy();
      }
      expect((await store.list()).map((r) => r.id)).toEqual(["good"]);
    });
  });

  /**
   * Starts `count` children on the same store, lets them go at once, and returns each one's result line;
   * `whileRunning` runs after all have answered, before they exit.
   */
  async function inChildren(
    count: number,
    spec: string,
    args: string[],
    whileRunning?: () => Promise<void>,
  ): Promise<string[]> {
    const children = Array.from({ length: count }, () =>
      startNodeScript(CHILD, [moduleForScript(CHILD, subject.opener), spec, HOST, ...args]),
    );
    const outputs = children.map((child) => {
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      const lineAfter = async (prefix: string) => {
        for (;;) {
          const match = new RegExp(`${prefix}([^\n]*)\n`).exec(stdout);
          if (match) return match[1] ?? "";
          if (child.exitCode !== null) throw new Error(`child exited early (${child.exitCode}): ${stderr}`);
          await sleep(10);
        }
      };
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      return { child, lineAfter, exited };
    });
    await Promise.all(outputs.map((output) => output.lineAfter("^ready")));
    for (const { child } of outputs) child.stdin?.write("go\n");
    const results = await Promise.all(outputs.map((output) => output.lineAfter("^ready\n")));
    await whileRunning?.();
    for (const { child } of outputs) child.stdin?.write("end\n");
    const codes = await Promise.all(outputs.map((output) => output.exited));
    expect(codes.every((code) => code === 0)).toBe(true);
    return results;
  }
}

function record(workerId: string, id: string): WorkerRecord {
  const me = processIdentityOf(process.pid);
  const now = Date.now();
  return {
    kind: "worker",
    id,
    workerId,
    pid: me.pid,
    ...(me.start === undefined ? {} : { pidStart: me.start }),
    status: "ready",
    host: HOST,
    startedAt: now,
    updatedAt: now,
  };
}

function owner() {
  return { ...processIdentityOf(process.pid), host: HOST };
}

/** The identity (pid and start time) of a process that has exited since. */
async function deadProcessIdentity(): Promise<{ pid: number; start?: string }> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error("no pid");
  const identity = processIdentityOf(pid);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return identity;
}
