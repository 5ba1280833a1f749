import { DeviceRegistry, terminateRecordedProcess } from "@modelpool/core";
import { onTestFinished } from "vitest";

/** Stops, when the test ends, every worker recorded in the registry at `path` (spawned by child processes). */
export function stopRecordedWorkersAfterTest(path: string): void {
  onTestFinished(async () => {
    const records = await new DeviceRegistry({ path }).list().catch(() => []);
    await Promise.all(records.filter((r) => r.status === "ready").map((r) => terminateRecordedProcess(r, 1_000)));
  });
}
