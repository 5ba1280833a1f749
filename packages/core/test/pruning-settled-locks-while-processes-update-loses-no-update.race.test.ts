import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

const WRITERS = 4;
const UPDATES = 10;

// prune clears a lock directory whose files are all released and older than 10 minutes. A directory is
// "settled" by the mtime of its files, which a release (a rename) keeps: a record updated once in 10 minutes
// has a settled lock directory at the very moment its next update begins. Here prune runs 11 minutes "ahead"
// in a loop, so that every lock directory between two updates is settled, and races every update for it.
raceTest(
  "prune clearing settled lock directories while 4 OS processes update one record loses no update and fails no update",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const start = join(await tempDir(), "start");
    // This test process stands in for the worker: the record is live, so prune never removes it.
    await new DeviceRegistry({ path }).put({ ...liveRecord({ id: "shared", workerId: "shared" }), count: 0 });
    const pruneChild = startNodeScript(new URL("./fixtures/prune-loop.ts", import.meta.url), [path]);
    const pruner = childLines(pruneChild);
    const writers = Array.from({ length: WRITERS }, (_, n) =>
      childLines(
        startNodeScript(new URL("./fixtures/upsert-many.ts", import.meta.url), [
          path,
          "0",
          `p${n}`,
          String(UPDATES),
          start,
        ]),
      ),
    );
    await Promise.all([pruner, ...writers].map((child) => child.line("ready")));

    await writeFile(start, "");
    const codes = await Promise.all(writers.map((writer) => writer.exited));
    const stderr = writers.map((writer) => writer.stderr()).filter((text) => text !== "");
    pruneChild.stdin?.end();
    const pruned = await pruner.line("pruned ");

    expect(stderr.map((text) => text.split("\n").find((line) => /Error|EN[A-Z]+/.test(line)))).toEqual([]);
    expect(Number(pruned.slice("pruned ".length))).toBeGreaterThan(0);
    expect(codes).toEqual(Array(WRITERS).fill(0));
    const shared = (await new DeviceRegistry({ path }).lookup("shared")).records[0];
    expect(shared).toMatchObject({ count: WRITERS * UPDATES });
  },
);
