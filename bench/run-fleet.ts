// npm run bench:fleet: the fleet registry section alone (npm run bench runs it too, as section 6).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { redisServerMissing, TestRedisServer } from "../packages/test-utils/src/redis-server.js";
import { fleetRoundTrips } from "./fleet-round-trips.js";
import { fleetSection } from "./fleet-section.js";

const missing = redisServerMissing();
if (missing) {
  console.log(`fleet benchmarks skipped: ${missing}`);
} else {
  const dir = await mkdtemp(join(tmpdir(), "modelpool-bench-fleet-"));
  const server = await TestRedisServer.start();
  try {
    for (const line of await fleetRoundTrips(server)) console.log(line);
  } finally {
    await server.stop();
  }
  try {
    for (const line of await fleetSection(dir)) console.log(line);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
