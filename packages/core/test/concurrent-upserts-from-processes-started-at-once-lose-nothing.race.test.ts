import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { record } from "./fixtures/registry-files.js";

raceTest(
  "6 OS processes, started at once, each doing 10 puts of their own records and 5 updates of one shared record, lose nothing",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const start = join(await tempDir(), "start");
    const registry = new DeviceRegistry({ path });
    await registry.put({ ...record({ id: "shared", workerId: "shared" }), count: 0 });
    const writers = Array.from({ length: 6 }, (_, n) =>
      childLines(
        startNodeScript(new URL("./fixtures/upsert-many.ts", import.meta.url), [path, "10", `p${n}`, "5", start]),
      ),
    );
    await Promise.all(writers.map((writer) => writer.line("ready")));

    await writeFile(start, "");
    await Promise.all(writers.map((writer) => writer.line("ok", 150_000)));
    const codes = await Promise.all(writers.map((writer) => writer.exited));

    expect(codes).toEqual(Array(6).fill(0));
    const records = await new DeviceRegistry({ path }).list();
    const ids = new Set(records.map((r) => r.id));
    for (let n = 0; n < 6; n++) for (let i = 0; i < 10; i++) expect(ids).toContain(`p${n}-${i}`);
    expect(records).toHaveLength(61);
    expect(records.find((r) => r.id === "shared")).toMatchObject({ count: 30 });
    expect((await registry.scan()).unreadable).toEqual([]);
  },
);
