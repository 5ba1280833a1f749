import { DeviceRegistry } from "@modelpool/core";
import { raceTest, runNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { record } from "./fixtures/registry-files.js";

type Side = { role: "leaser" | "stopper"; attempts: number; intervals: [number, number][] };

// A lease entry is a file of its own, written without the record's lock: the holder writes its entry and
// then reads the record, a stopping update writes the record and then reads the entries. Whatever the
// interleaving, one side sees the other, so a worker is never stopped while a process holds it.
raceTest(
  "a lease entry racing a stop is seen by one side or the other: never stopped while held",
  {
    perRunMs: 10_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    await new DeviceRegistry({ path, legacySources: false }).put(
      record({ id: "w1", workerId: "docs", pid: process.pid }),
    );
    const until = "+2500";
    const script = new URL("./fixtures/hold-or-stop.ts", import.meta.url);
    const sides = (
      await Promise.all([
        runNodeScript(script, [path, "stopper", until]),
        ...Array.from({ length: 4 }, () => runNodeScript(script, [path, "leaser", until])),
      ])
    ).map(({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1) as string) as Side);

    const stopped = sides.filter((side) => side.role === "stopper").flatMap((side) => side.intervals);
    const held = sides.filter((side) => side.role === "leaser").flatMap((side) => side.intervals);
    // The race ran: some side won (how often each did is reported: load lowers both, never to nothing).
    expect(stopped.length + held.length).toBeGreaterThan(0);
    const overlaps = held.filter(([from, to]) => stopped.some(([stopFrom, stopTo]) => from < stopTo && stopFrom < to));
    expect(overlaps).toEqual([]);
    return { stops: stopped.length, leases: held.length, "stopped while held": overlaps.length };
  },
);
