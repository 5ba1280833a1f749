import { DeviceRegistry } from "@modelpool/core";
import { startNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { record } from "./fixtures/registry-files.js";

type Side = { role: "leaser" | "stopper"; attempts: number; intervals: [number, number][] };

// A lease entry is a file of its own, written without the record's lock: the holder writes its entry and
// then reads the record, a stopping update writes the record and then reads the entries. Whatever the
// interleaving, one side sees the other, so a worker is never stopped while a process holds it.
test("a lease entry racing a stop is seen by one side or the other: never stopped while held", {
  timeout: 180_000,
}, async () => {
  const path = await tempRegistryPath();
  await new DeviceRegistry({ path, legacySources: false }).put(
    record({ id: "w1", workerId: "docs", pid: process.pid }),
  );
  const script = new URL("./fixtures/hold-or-stop.ts", import.meta.url);
  const children = [
    startNodeScript(script, [path, "stopper"]),
    ...Array.from({ length: 4 }, () => startNodeScript(script, [path, "leaser"])),
  ];
  const outputs = children.map((child) => childLines(child));
  // Every side started (however long that took on a busy machine) before any runs: the race really runs.
  await Promise.all(outputs.map((output) => output.line("ready")));
  for (const child of children) child.stdin?.write("go 4000\n");
  const sides = (await Promise.all(outputs.map((output) => output.line("{")))).map((line) => JSON.parse(line) as Side);

  const stopped = sides.filter((side) => side.role === "stopper").flatMap((side) => side.intervals);
  const held = sides.filter((side) => side.role === "leaser").flatMap((side) => side.intervals);
  // Both sides won many times: the race really ran.
  expect(stopped.length).toBeGreaterThan(5);
  expect(held.length).toBeGreaterThan(5);
  const overlaps = held.filter(([from, to]) => stopped.some(([stopFrom, stopTo]) => from < stopTo && stopFrom < to));
  expect(overlaps).toEqual([]);
});
