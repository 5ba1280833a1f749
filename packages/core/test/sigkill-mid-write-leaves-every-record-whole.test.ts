import { readdirSync, readFileSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry, WorkerRecordSchema } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { record } from "./fixtures/registry-files.js";

const WRITERS = 3;
const ROUNDS = 5;

/**
 * Every record file and update announcement (temp files of killed writers, which start with a dot,
 * aside), parsed as it is on disk.
 */
function recordFiles(path: string): { file: string; ok: boolean }[] {
  const found: { file: string; ok: boolean }[] = [];
  const workers = join(path, "workers");
  for (const dir of readdirSync(workers)) {
    for (const name of readdirSync(join(workers, dir))) {
      if (name.startsWith(".")) continue;
      const file = join(workers, dir, name);
      let ok = false;
      try {
        const value = JSON.parse(readFileSync(file, "utf8"));
        // A killed updater's announcement stays (void: its owner is gone, prune clears it): whole all the same.
        ok = name.endsWith(".updating") || (name.endsWith(".json") && WorkerRecordSchema.safeParse(value).success);
      } catch {
        ok = false;
      }
      found.push({ file, ok });
    }
  }
  return found;
}

test(`${WRITERS} writers SIGKILLed at random points of their puts and updates, ${ROUNDS} times: every record file is whole and every completed write is there`, {
  timeout: 180_000,
}, async () => {
  const path = await tempRegistryPath();
  await new DeviceRegistry({ path }).put({ ...record({ id: "shared", workerId: "shared" }), count: 0 });
  const puts = new Set<string>();
  let sharedDone = 0;
  let killedMidRun = 0;

  for (let round = 0; round < ROUNDS; round++) {
    const writers = Array.from({ length: WRITERS }, (_, n) => {
      const child = startNodeScript(new URL("./fixtures/write-many.ts", import.meta.url), [
        path,
        `w${n}`,
        String(round * 1_000),
        "1000",
      ]);
      let buffer = "";
      let stderr = "";
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<string>((resolve) => child.once("exit", () => resolve(stderr)));
      const started = new Promise<void>((resolve) => {
        child.stdout?.on("data", (chunk) => {
          buffer += chunk;
          const lines = buffer.split("\n");
          buffer = lines.pop() ?? "";
          for (const line of lines) {
            if (line.startsWith("done put ")) puts.add(line.slice("done put ".length));
            if (line.startsWith("done shared ")) sharedDone = Math.max(sharedDone, Number(line.slice(12)));
          }
          resolve();
        });
      });
      return { child, exited, started };
    });
    // Each writer must make progress (a lock a killed writer left must not stop it), then dies at a random point.
    for (const { started, exited } of writers) {
      const outcome = await Promise.race([
        started.then(() => "started"),
        exited.then((stderr) => `exited: ${stderr}`),
        sleep(30_000).then(() => "no write completed within 30 s"),
      ]);
      expect(outcome).toBe("started");
    }
    await Promise.all(
      writers.map(async ({ child, exited }) => {
        await sleep(Math.random() * 400);
        if (child.exitCode === null) killedMidRun++;
        child.kill("SIGKILL");
        await exited;
      }),
    );

    const files = recordFiles(path);
    expect(files.filter((f) => !f.ok)).toEqual([]);
    const scan = await new DeviceRegistry({ path }).scan();
    expect(scan.unreadable).toEqual([]);
    const ids = new Set(scan.records.map((r) => r.id));
    for (const id of puts) expect(ids).toContain(id);
    const shared = scan.records.find((r) => r.id === "shared") as { count: number } | undefined;
    // Every update a writer saw complete is in the record: none was lost to a later writer's torn write.
    expect(shared?.count).toBeGreaterThanOrEqual(sharedDone);
  }
  expect(killedMidRun).toBeGreaterThanOrEqual(ROUNDS * WRITERS - 1);
  expect(puts.size).toBeGreaterThan(ROUNDS * WRITERS);
});

test("prune clears temp files a killed writer left over a minute ago, and keeps a fresh one (a live writer's) and every record", async () => {
  const path = await tempRegistryPath();
  const registry = new DeviceRegistry({ path });
  const live = await registry.put({ ...record({ id: "a", workerId: "docs" }), pid: process.pid });
  const dir = join(path, "workers", "docs");
  await writeFile(join(dir, ".tmp-abandoned"), '{"kind":"wor', { mode: 0o600 });
  await writeFile(join(dir, ".tmp-fresh"), '{"kind":"wor', { mode: 0o600 });
  const twoMinutesAgo = new Date(Date.now() - 120_000);
  await utimes(join(dir, ".tmp-abandoned"), twoMinutesAgo, twoMinutesAgo);

  const read = await registry.lookup("docs");
  await registry.prune();

  expect(read.unreadable).toEqual([]); // temp files are never taken for records, whole or not
  expect(readdirSync(dir).sort()).toEqual([".tmp-fresh", "a.json"]);
  expect((await registry.lookup("docs")).records.map((r) => r.id)).toEqual([live.id]);
});
