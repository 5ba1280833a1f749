import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DeviceRegistry } from "@modelpool/core";
import { raceTest, startNodeScript, tempRegistryPath, waitUntil } from "@modelpool/test-utils";
import { expect } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { liveRecord } from "./fixtures/registry-files.js";

/** The stopper's lockStaleMs: what its announcement's expiry was derived from, before no deadline decided. */
const OLD_EXPIRY_MS = 300;

// A stopper has announced its stop, read the lease entries (none), decided "stop", passed every check it
// makes before writing — and is then paused (SIGSTOP, as a loaded disk or a paused VM would hold its
// rename) for ten times any expiry its announcement once carried. Meanwhile another process leases the
// worker. Whatever happens next, the worker is never stopped while that lease is held: the lease waits
// for the live stopper (and then sees "stopped"), or is refused.
raceTest(
  "a worker leased while its stopper is paused before its write is never stopped while held",
  { perRunMs: 6_000 },
  async () => {
    const path = await tempRegistryPath();
    const registry = new DeviceRegistry({ path, legacySources: false });
    await registry.put(liveRecord({ id: "w1", workerId: "docs" }));

    // Its pause is this race's attack: the hostile world's random pauser would resume it early.
    const stopper = startNodeScript(
      new URL("./fixtures/stop-paused-before-its-write.ts", import.meta.url),
      [path, String(OLD_EXPIRY_MS)],
      {},
      { pausedAtRandom: false },
    );
    const stopperLines = childLines(stopper);
    await stopperLines.line("paused");
    // "T": stopped by its SIGSTOP; "t": the same under strace (the hostile world's delayed writes trace it).
    await waitUntil(() => ["T", "t"].includes(processState(stopper.pid as number) ?? ""));

    const leaser = startNodeScript(new URL("./fixtures/hold-until-told.ts", import.meta.url), [path, "60000"]);
    const leaserLines = childLines(leaser);
    // The attack: once the lease entry is written (however long the leaser took to start), the stopper
    // stays paused for ten old expiries more, or until the lease was decided.
    const decided = leaserLines.line("").then(
      () => true,
      () => false,
    );
    const entryPrefix = `${leaser.pid}+`;
    await waitUntil(
      () => readdirSync(join(path, "workers", "docs")).some((name) => name.startsWith(entryPrefix)),
      120_000,
    );
    await Promise.race([decided, new Promise((resolve) => setTimeout(resolve, 10 * OLD_EXPIRY_MS))]);
    process.kill(stopper.pid as number, "SIGCONT");
    const stopperSaid = await stopperLines.line("updated").catch(() => stopperLines.line("failed"));
    const leaserSaid = await leaserLines.line("");

    const record = (await registry.lookup("docs")).records.find((found) => found.id === "w1");
    const heldWhileStopped = leaserSaid === "held ready" && record?.status === "stopped";
    expect({ heldWhileStopped, leaserSaid, stopperSaid, record: record?.status }).toEqual({
      heldWhileStopped: false,
      leaserSaid,
      stopperSaid,
      record: record?.status,
    });
    leaser.stdin?.end("exit\n");
    await leaserLines.exited;
    return { [leaserSaid === "held ready" ? "leases held" : "leases refused"]: 1 };
  },
);

/** The one-letter state of a process (`T`: stopped by a signal). */
function processState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
}
