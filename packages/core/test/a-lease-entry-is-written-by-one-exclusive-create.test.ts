import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceRegistry } from "@modelpool/core";
import { tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { liveRecord } from "./fixtures/registry-files.js";

const strace = spawnSync("strace", ["-V"]).status === 0;

// A lease entry is one exclusive create under a new name (`open(..., O_CREAT|O_EXCL)`) and one write:
// no temp file and rename, and no unlink of an older generation that does not exist. Checked on the
// system calls of a new process writing its first entry and its release.
test.skipIf(!strace)(
  "a lease entry is written by one exclusive create, never a temp file and a rename",
  {
    timeout: 60_000,
  },
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
        "trace=open,openat,rename,renameat,renameat2,unlink,unlinkat,link,linkat",
        "-o",
        trace,
        process.execPath,
        "--import",
        "tsx",
        "--conditions=@modelpool/source",
        fileURLToPath(new URL("./fixtures/hold-once.ts", import.meta.url)),
        path,
      ],
      { encoding: "utf8" },
    );
    expect(output.trim()).toBe("held ready");
    const calls = readFileSync(trace, "utf8")
      .split("\n")
      .filter((line) => line.includes(join(path, "workers", "docs")));
    const renames = calls.filter((line) => /\brename/.test(line));
    const creates = calls.filter(
      (line) => /\bopen(at)?\(/.test(line) && line.includes(".holder") && line.includes("O_EXCL"),
    );
    const failedUnlinks = calls.filter((line) => /\bunlink/.test(line) && line.includes("ENOENT"));
    expect({ renames, creates: creates.length, failedUnlinks }).toEqual({ renames: [], creates: 2, failedUnlinks: [] });
  },
);
