import { DeviceRegistry } from "@modelpool/core";
import { raceTest, runNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";
import { liveRecord } from "./fixtures/registry-files.js";

// prune removes announcements of updaters that are gone, by name, after reading them: an updater that
// announced in between (same name) loses its announcement to prune while it is still deciding — and a
// lease written then is granted without waiting for the stop it would have had to see.
raceTest(
  "an announcement of an update under way is never removed by prune",
  { perRunMs: 10_000, defaultRuns: 1 },
  async () => {
    const path = await tempRegistryPath();
    await new DeviceRegistry({ path, legacySources: false }).put(liveRecord({ id: "w1", workerId: "docs" }));
    const until = "+3000";
    const script = new URL("./fixtures/announcement-race.ts", import.meta.url);
    const results = await Promise.all([
      runNodeScript(script, [path, "updater", until]),
      runNodeScript(script, [path, "pruner", until]),
    ]);
    const [updater, pruner] = results.map((result) => JSON.parse(result.stdout.trim().split("\n").pop() as string));
    // Both sides ran (how often is reported: load lowers it); never an announcement lost.
    expect(updater.rounds).toBeGreaterThan(0);
    expect(pruner.rounds).toBeGreaterThan(0);
    expect(updater.lost).toBe(0);
    return { updates: updater.rounds, prunes: pruner.rounds, lost: updater.lost };
  },
);
