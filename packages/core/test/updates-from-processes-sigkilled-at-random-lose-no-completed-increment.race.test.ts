import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { type ChildLines, childLines } from "./fixtures/child-lines.js";
import { record } from "./fixtures/registry-files.js";

const SURVIVORS = 4;
const VICTIMS = 4;
const MAX = 10;

const completed = (out: ChildLines) => out.lines.filter((line) => line.startsWith("did ")).length;

raceTest(
  "8 OS processes incrementing one record, half of them SIGKILLed at random moments: every completed increment is counted, the record stays whole",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const start = join(await tempDir(), "start");
    const registry = new DeviceRegistry({ path });
    await registry.put({ ...record({ id: "shared", workerId: "shared" }), count: 0 });
    const launch = (max: number) => {
      const child = startNodeScript(new URL("./fixtures/increment-forever.ts", import.meta.url), [
        path,
        start,
        String(max),
      ]);
      return { child, out: childLines(child) };
    };
    const survivors = Array.from({ length: SURVIVORS }, () => launch(MAX));
    const victims = Array.from({ length: VICTIMS }, () => launch(1_000_000));
    await Promise.all([...survivors, ...victims].map(({ out }) => out.line("ready")));

    await writeFile(start, "");
    for (const victim of victims) {
      // Killed once it has done an increment, or after 3 s if it has not won the lock yet (the lock is not
      // a queue: under load, processes that loop with no pause can keep it from one for a long while).
      await victim.out.line("did ", 3_000).catch(() => undefined);
      await sleep(Math.random() * 400);
      const exited = victim.out.exited;
      victim.child.kill("SIGKILL");
      await exited;
    }
    const codes = await Promise.all(survivors.map(({ out }) => out.exited));

    expect(codes, survivors.map(({ out }) => out.stderr()).join("\n")).toEqual(Array(SURVIVORS).fill(0));
    const read = await new DeviceRegistry({ path }).scan();
    expect(read.unreadable).toEqual([]);
    const count = read.records.find((r) => r.id === "shared")?.count as number;
    const done = [...survivors, ...victims].reduce((sum, { out }) => sum + completed(out), 0);
    // A killed process may have completed one increment it had no time to print: never more than one each.
    expect(count).toBeGreaterThanOrEqual(done);
    expect(count).toBeLessThanOrEqual(done + VICTIMS);
  },
);
