import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { raceTest, startNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { type ChildLines, childLines } from "./fixtures/child-lines.js";

const PROCESSES = 6;
const CYCLES = 10;

raceTest(
  "6 OS processes acquiring and releasing one claim in a loop, with holders and racers SIGKILLed at random moments, never have two live holders at once",
  {
    perRunMs: 20_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const markers = join(await tempDir(), "markers");
    await mkdir(markers);
    // Victims hammer until killed (always mid-loop when the kill comes); survivors do CYCLES rounds.
    const start = (cycles = CYCLES) => {
      const child = startNodeScript(new URL("./fixtures/claim-hammer.ts", import.meta.url), [
        path,
        "spawn docs m",
        markers,
        String(cycles),
      ]);
      return { child, out: childLines(child) };
    };
    const survivors: { child: ReturnType<typeof start>["child"]; out: ChildLines }[] = [];
    const victims = Array.from({ length: PROCESSES / 2 }, () => start(1_000_000));
    for (let i = 0; i < PROCESSES / 2; i++) survivors.push(start());
    await Promise.all([...victims, ...survivors].map(({ out }) => out.line("ready")));

    // Kill the victims one by one at random moments while everyone hammers (and start a new one each time).
    let killed = 0;
    const overlaps: string[] = [];
    for (const victim of victims) {
      await sleep(200 + Math.random() * 600);
      const found = victim.out.lines.find((line) => line.startsWith("overlap"));
      if (found) overlaps.push(found);
      victim.child.kill("SIGKILL");
      killed++;
      const next = start();
      survivors.push(next);
    }
    const codes = await Promise.all(
      survivors.map(async ({ out }) => {
        await out.line("done", 60_000).catch(() => undefined);
        return out.exited;
      }),
    );
    for (const { out } of survivors) overlaps.push(...out.lines.filter((line) => line.startsWith("overlap")));

    expect(killed).toBe(PROCESSES / 2);
    expect(overlaps).toEqual([]);
    expect(codes).toEqual(Array(survivors.length).fill(0));
  },
);
