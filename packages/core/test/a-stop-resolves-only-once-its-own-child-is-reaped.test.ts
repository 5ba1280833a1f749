import { isRunning, testPool } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const RUNS = 6;

/** Signal 0 to the pid, as a caller checking "is it still there?" would: a zombie still answers. */
function answersSignalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("after stop() resolves, the worker it spawned is gone, not an unreaped zombie: process.kill(pid, 0) fails", {
  timeout: 120_000,
}, async () => {
  const pool = testPool({ registry: false });
  const stillThere: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const lease = await pool.getOrSpawn({ workerId: `w${run}`, fingerprint: { resolvedModel: "m" }, forceNew: true });
    await lease.release();
    await pool.stop(`w${run}`);
    // Checked at once, before this process yields to its event loop.
    if (answersSignalZero(lease.worker.pid)) stillThere.push(lease.worker.pid);
    expect(isRunning(lease.worker.pid)).toBe(false);
  }
  expect(stillThere).toEqual([]);
});
