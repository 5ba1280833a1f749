// npm run bench:fleet: the fleet registry section alone (npm run bench runs it too, as section 6).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisServerMissing } from "../packages/test-utils/src/redis-server.js";
import { fleetSection } from "./fleet-section.js";

const missing = redisServerMissing();
if (missing) {
  console.log(`fleet benchmarks skipped: ${missing}`);
} else {
  const dir = await mkdtemp(join(tmpdir(), "modelpool-bench-fleet-"));
  try {
    for (const line of await fleetSection(dir)) console.log(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
