import { readFile, writeFile } from "node:fs/promises";
import { DeviceRegistry, type PoolWarning, type WorkerRecord } from "@modelpool/core";
import { SameModelTestPolicy, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord, record, recordFile } from "./fixtures/registry-files.js";

/** What a valid record file holds, whole: the corruptions below are made of it. */
function recordText(value: WorkerRecord): string {
  return `${JSON.stringify(value)}\n`;
}

/** Each kind of damage, applied to a record that would otherwise be a candidate, and why it must be refused. */
function corruptions(tempting: WorkerRecord): Record<string, { bytes: string; reason: RegExp }> {
  const whole = recordText(tempting);
  return {
    empty: { bytes: "", reason: /not valid JSON/ },
    truncated: { bytes: whole.slice(0, Math.floor(whole.length / 2)), reason: /not valid JSON/ },
    "one byte short": { bytes: whole.trimEnd().slice(0, -1), reason: /not valid JSON/ },
    garbage: { bytes: "\u0000\u0001not json at all", reason: /not valid JSON/ },
    "wrong schema": { bytes: JSON.stringify({ ...tempting, pid: "1" }), reason: /pid/ },
    "prototype key": {
      // JSON.parse keeps "__proto__" as an own key; zod would drop it silently.
      bytes: whole.replace(/^\{/, '{"__proto__":{"reuse":true},'),
      reason: /__proto__: a prototype key is not allowed/,
    },
    "wrong workerId": {
      bytes: recordText({ ...tempting, workerId: "other" }),
      reason: /names workerId "other" but is filed under another/,
    },
  };
}

for (const [kind, { bytes, reason }] of Object.entries(corruptions(liveRecord({ id: "broken", workerId: "docs" })))) {
  test(`a ${kind} record file is reported with its path and why, kept byte for byte, and affects only itself`, async () => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path });
    const good = await registry.put(record({ id: "good", workerId: "docs" }));
    const neighbour = await registry.put(record({ id: "neighbour", workerId: "code" }));
    const broken = recordFile(path, "docs", "broken");
    await writeFile(broken, bytes, { mode: 0o600 });

    const lookup = await registry.lookup("docs");
    const scan = await registry.scan();
    const fresh = await new DeviceRegistry({ path }).lookup("docs");

    for (const read of [lookup, fresh]) {
      expect(read.records).toEqual([good]);
      expect(read.unreadable).toEqual([{ location: broken, reason: expect.stringMatching(reason) }]);
    }
    expect(scan.records.map((r) => r.id).sort()).toEqual(["good", "neighbour"]);
    expect(scan.unreadable).toEqual([{ location: broken, reason: expect.stringMatching(reason) }]);
    expect(await registry.list()).toHaveLength(2);
    expect((await registry.lookup("code")).unreadable).toEqual([]); // another workerId never reads it

    // Writes of every other record, and writes naming the broken one, leave its bytes alone.
    await registry.update(good, (current) => ({ ...current, updatedAt: current.updatedAt + 1 }));
    expect(await registry.update({ workerId: "docs", id: "broken" }, (current) => current)).toBeUndefined();
    expect(await registry.remove({ workerId: "docs", id: "broken" })).toBe(false);
    const pruned = await registry.prune(); // good and neighbour are dead (pid 999999): pruned
    expect(pruned.map((p) => p.record.id).sort()).toEqual(["good", "neighbour"]);
    expect(await readFile(broken, "utf8")).toBe(bytes);
    expect((await registry.lookup("docs")).unreadable).toEqual([
      { location: broken, reason: expect.stringMatching(reason) },
    ]);
    expect(neighbour.workerId).toBe("code");
  });
}

test("a record file whose content names another id than its file name is reported, not returned", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const a = await registry.put(liveRecord({ id: "a", workerId: "docs" }));
  // A copy of record a under another record's name: updates of "x" would never find it, removes of "a" miss it.
  const misfiled = recordFile(path, "docs", "x");
  await writeFile(misfiled, recordText(a), { mode: 0o600 });

  const read = await registry.lookup("docs");
  const scan = await registry.scan();

  expect(read.records).toEqual([a]);
  expect(read.unreadable).toEqual([{ location: misfiled, reason: expect.stringMatching(/names id "a"/) }]);
  expect(scan.records).toEqual([a]);
  expect(scan.unreadable).toEqual([{ location: misfiled, reason: expect.stringMatching(/names id "a"/) }]);
  // Otherwise the copy outlives its record: once a is removed, "a" is still returned and no remove reaches it.
  await registry.remove(a);
  expect((await registry.lookup("docs")).records).toEqual([]);
});

test("the pool warns once about unreadable records, spawns and reuses normally, and never reuses a broken one", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  // A real live worker, recorded nowhere: each broken file below is a damaged record of it, so a reader
  // that took any of them for a record would reuse it.
  const outside = testPool({ registry: false });
  const live = (await outside.getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } })).worker;
  await new DeviceRegistry({ path }).put(record({ id: "dead", workerId: "docs" }));
  const files = new Map<string, string>();
  for (const [kind, { bytes }] of Object.entries(corruptions({ ...live, id: "tempting" }))) {
    const file = recordFile(path, "docs", `broken-${kind.replace(/\W/g, "-")}`);
    await writeFile(file, bytes.replace('"id":"tempting"', `"id":"broken-${kind.replace(/\W/g, "-")}"`), {
      mode: 0o600,
    });
    files.set(file, await readFile(file, "utf8"));
  }
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });
  const request = { workerId: "docs", fingerprint: { resolvedModel: "m" } };

  const first = await pool.getOrSpawn(request);
  await first.release();
  const second = await pool.getOrSpawn(request);
  await second.release();
  const other = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const otherWarnings: PoolWarning[] = [];
  other.hooks.warning.tap("test", (warning) => {
    otherWarnings.push(warning);
  });
  const third = await other.getOrSpawn(request);
  await pool.settled();
  await other.settled();

  expect(first.decision.outcome).toBe("spawned");
  expect(first.worker.pid).not.toBe(live.pid);
  expect(second.decision.outcome).toBe("reused");
  expect(second.worker.id).toBe(first.worker.id);
  expect(third.decision.outcome).toBe("reused");
  expect(third.worker.id).toBe(first.worker.id);
  const unreadable = warnings.filter((w) => w.code === "REGISTRY_ENTRIES_UNREADABLE");
  expect(unreadable).toHaveLength(1);
  expect(unreadable[0]?.message).toMatch(new RegExp(`^${files.size} records of registry `));
  expect(otherWarnings.filter((w) => w.code === "REGISTRY_ENTRIES_UNREADABLE")).toHaveLength(1);
  for (const decision of [first.decision, second.decision, third.decision]) {
    expect(decision.considered.map((c) => c.candidate.id).filter((id) => id.startsWith("broken"))).toEqual([]);
    expect(decision.considered.map((c) => c.candidate.pid)).not.toContain(live.pid);
  }
  await new DeviceRegistry({ path }).prune();
  for (const [file, bytes] of files) expect(await readFile(file, "utf8")).toBe(bytes);
  expect((await new DeviceRegistry({ path }).lookup("docs")).unreadable).toHaveLength(files.size);
});

test("a pool serving several workerIds warns once about the same unreadable record, however its requests alternate", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  await new DeviceRegistry({ path }).put(record({ id: "dead", workerId: "docs" }));
  await writeFile(recordFile(path, "docs", "broken"), "{ not json", { mode: 0o600 });
  const pool = testPool({ registry: path, plugins: [new SameModelTestPolicy()] });
  const warnings: PoolWarning[] = [];
  pool.hooks.warning.tap("test", (warning) => {
    warnings.push(warning);
  });

  for (let round = 0; round < 3; round++) {
    for (const workerId of ["docs", "code"]) {
      const lease = await pool.getOrSpawn({ workerId, fingerprint: { resolvedModel: "m" } });
      await lease.release();
    }
  }

  expect(warnings.filter((w) => w.code === "REGISTRY_ENTRIES_UNREADABLE")).toHaveLength(1);
});
