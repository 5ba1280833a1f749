import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { record } from "./fixtures/registry-files.js";

raceTest(
  "8 OS processes, started at once, each doing 20 puts of their own records and 10 updates of one shared record, lose nothing",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const start = join(await tempDir(), "start");
    const registry = new DeviceRegistry({ path });
    await registry.put({ ...record({ id: "shared", workerId: "shared" }), count: 0 });
    const writers = Array.from({ length: 8 }, (_, n) =>
      childLines(
        startNodeScript(new URL("./fixtures/upsert-many.ts", import.meta.url), [path, "20", `p${n}`, "10", start]),
      ),
    );
    await Promise.all(writers.map((writer) => writer.line("ready")));

    await writeFile(start, "");
    await Promise.all(writers.map((writer) => writer.line("ok", 150_000)));
    const codes = await Promise.all(writers.map((writer) => writer.exited));

    expect(codes).toEqual(Array(8).fill(0));
    const records = await new DeviceRegistry({ path }).list();
    const ids = new Set(records.map((r) => r.id));
    for (let n = 0; n < 8; n++) for (let i = 0; i < 20; i++) expect(ids).toContain(`p${n}-${i}`);
    expect(records).toHaveLength(161);
    expect(records.find((r) => r.id === "shared")).toMatchObject({ count: 80 });
    expect((await registry.scan()).unreadable).toEqual([]);
  },
);
