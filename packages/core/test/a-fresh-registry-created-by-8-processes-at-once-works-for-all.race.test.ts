import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, startNodeScript, tempDir } from "@modelpool/test-utils";
import { expect } from "vitest";
import { childLines } from "./fixtures/child-lines.js";

const PROCESSES = 8;
const REGISTRIES = 15;

raceTest(
  `${PROCESSES} processes making their first write into the same new registry at the same moment all succeed (${REGISTRIES} times)`,
  {
    perRunMs: 30_000,
    defaultRuns: 1,
  },
  async () => {
    const base = await tempDir();
    const writers = Array.from({ length: PROCESSES }, (_, n) => {
      const child = startNodeScript(new URL("./fixtures/use-fresh-registries.ts", import.meta.url), [
        base,
        String(REGISTRIES),
        `p${n}`,
      ]);
      return { child, out: childLines(child) };
    });

    for (let i = 0; i < REGISTRIES; i++) {
      await Promise.all(writers.map(({ out }) => out.line(`waiting ${i};`)));
      for (const { child } of writers) child.stdin?.write("go\n");
    }
    await Promise.all(writers.map(({ out }) => out.line(`ok ${REGISTRIES - 1};`).catch(() => undefined)));
    await Promise.all(writers.map(({ out }) => out.exited));

    // Creating the registry is part of the first write: a rival's half-made registry must never be taken for a
    // foreign directory ("it holds other files (format.json) and no format.json").
    const errors = writers.flatMap(({ out }) => out.lines.filter((line) => line.startsWith("error ")));
    expect(errors).toEqual([]);
    for (let i = 0; i < REGISTRIES; i++) {
      const records = await new DeviceRegistry({ path: join(base, `r${i}`) }).list();
      expect(records.map((r) => r.id).sort()).toEqual(Array.from({ length: PROCESSES }, (_, n) => `p${n}`).sort());
    }
  },
);
