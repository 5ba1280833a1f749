import { isRunning, stopRecordedWorkersAfterTest, tempRegistryPath, waitUntil } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";
import { childLines } from "./fixtures/child-lines.js";
import { BUN, type Runtime, startScript } from "./fixtures/runtimes.js";

// Node and Bun processes share one registry. Process A leases a worker and holds it; process B, started
// a couple of seconds later (so its runtime's clocks read otherwise than A's), asks for the same
// workerId with another model and stops superseded workers: it must not stop A's held worker. Once A
// released it, a stop from a process of the other runtime goes through. Lease order must not come from any clock that
// the two runtimes (or two processes) read differently.
const pairs: [Runtime, Runtime][] = [
  ["node", "bun"],
  ["bun", "node"],
  ["bun", "bun"],
  ["node", "node"],
];

test.skipIf(!BUN).each(pairs)(
  "a worker leased under %s is never stopped by a %s process while held",
  {
    timeout: 120_000,
  },
  async (holderRuntime, stopperRuntime) => {
    const path = await tempRegistryPath();
    stopRecordedWorkersAfterTest(path);
    const holder = startScript(holderRuntime, new URL("./fixtures/lease-holder.ts", import.meta.url), [
      path,
      "model-x",
    ]);
    const holderLines = childLines(holder);
    const leased = JSON.parse(await holderLines.line("{")) as { pid: number; id: string };
    onTestFinished(() => {
      if (isRunning(leased.pid)) process.kill(leased.pid, "SIGKILL");
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const superseding = (runtime: Runtime, model = "model-y") =>
      childLines(startScript(runtime, new URL("./fixtures/superseding-request.ts", import.meta.url), [path, model]));
    const first = superseding(stopperRuntime);
    const decided = JSON.parse(await first.line("{")) as { pid: number };
    onTestFinished(() => {
      if (isRunning(decided.pid)) process.kill(decided.pid, "SIGKILL");
    });
    expect({ heldWorkerRunning: isRunning(leased.pid) }).toEqual({ heldWorkerRunning: true });

    holder.stdin?.write("release\n");
    await holderLines.line('{"step":"released"');
    // Released under one runtime, seen under the other: a stop (unless held) now goes through.
    const stopper = childLines(
      startScript(stopperRuntime, new URL("./fixtures/stop-unless-held.ts", import.meta.url), [path, leased.id]),
    );
    expect(await stopper.line("")).toBe("stopped");
    await waitUntil(() => !isRunning(leased.pid), 30_000);
    holder.stdin?.end("exit\n");
  },
);
