// vitest setupFiles (vitest.shared.ts): every test file's processes are gone when the file ends. A test
// that leaves a worker, a fixture or a server running fails, naming what it left — an orphan in the tests
// is the same fault as an orphan in the library, and one left behind skews every file that runs after it.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll } from "vitest";
import { processesWithEnv } from "./processes-state.js";

/** Set in this test file's environment; every process it starts inherits it unless a test clears it. */
export const TEST_FILE_TOKEN_ENV = "MODELPOOL_TEST_FILE_TOKEN";

const token = randomUUID();
process.env[TEST_FILE_TOKEN_ENV] = token;

/** How long a process stopped in the file's last hooks gets to finish exiting before it counts as left. */
const EXIT_ROOM_MS = 10_000;

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
}

// Registered before the file's own hooks, so it runs after them (vitest runs after-hooks as a stack).
afterAll(async () => {
  const entry = `${TEST_FILE_TOKEN_ENV}=${token}`;
  const deadline = Date.now() + EXIT_ROOM_MS;
  let left = processesWithEnv(entry);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = processesWithEnv(entry);
  }
  if (left.length === 0) return;
  const named = left.map((pid) => `${pid}: ${commandLine(pid)}`);
  for (const pid of left) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`this test file left ${left.length} process(es) running (now SIGKILLed):\n${named.join("\n")}`);
});
