import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceRegistry } from "@modelpool/core";
import { tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord } from "./fixtures/registry-files.js";

const strace = spawnSync("strace", ["-V"]).status === 0;

// A release clears the superseded generations of the process's entry; the next lease of the same process
// (a new pool per task) must not unlink them a second time. Each needless unlink fails with ENOENT, and
// building that error was about a tenth of a cold decision's CPU. Checked on the system calls of three
// lease + release sessions in one new process; the entry's newest generation stays readable throughout.
test.skipIf(!strace)(
  "a lease entry written again after its release unlinks no file that is already gone",
  { timeout: 60_000 },
  async () => {
    const path = await tempRegistryPath();
    await new DeviceRegistry({ path, legacySources: false }).put(liveRecord({ id: "w1", workerId: "docs" }));
    const trace = join(await tempDir(), "trace");
    const output = execFileSync(
      "strace",
      [
        "-f",
        "-qq",
        "-e",
        "trace=unlink,unlinkat",
        "-o",
        trace,
        process.execPath,
        "--import",
        "tsx",
        "--conditions=@modelpool/source",
        fileURLToPath(new URL("./fixtures/hold-once.ts", import.meta.url)),
        path,
        "3",
      ],
      { encoding: "utf8" },
    );
    expect(output.trim()).toBe("held ready");
    const unlinks = readFileSync(trace, "utf8")
      .split("\n")
      .filter((line) => /\bunlink/.test(line) && line.includes(join(path, "workers", "docs")));
    expect(unlinks.length).toBeGreaterThan(0);
    expect(unlinks.filter((line) => line.includes("ENOENT"))).toEqual([]);
    // One generation of the entry is left, saying it holds nothing.
    const holders = readdirSync(join(path, "workers", "docs")).filter((name) => name.endsWith(".holder"));
    expect(holders).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(path, "workers", "docs", holders[0] as string), "utf8")).leases).toBe(0);
  },
);
