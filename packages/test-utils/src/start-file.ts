import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Environment variable naming the file whose creation starts a race's participants (see `untilStartFile`). */
export const START_FILE_ENV = "MODELPOOL_START_FILE";

/**
 * In a participant of a race: returns once the test has created the start file `MODELPOOL_START_FILE`
 * names (at once when none is named). The test creates it when every participant has said it is ready, so
 * all of them act within a few milliseconds of each other however long each took to start — no fixed
 * delay that a loaded machine overruns or an idle one waits out for nothing.
 */
export async function untilStartFile(path = process.env[START_FILE_ENV]): Promise<void> {
  if (!path) return;
  while (!existsSync(path)) await sleep(2);
}
