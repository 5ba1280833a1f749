import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { raceTest, runNodeScript, tempDir, tempRegistryPath } from "@modelpool/test-utils";
import { expect } from "vitest";

raceTest(
  "6 OS processes asking at once for a model that crashes at start: it is started once, all 6 get its failure",
  {
    perRunMs: 15_000,
    defaultRuns: 1,
  },
  async () => {
    const path = await tempRegistryPath();
    const startFile = join(await tempDir(), "go");
    const runs = Array.from({ length: 6 }, () =>
      runNodeScript(new URL("./fixtures/crashing-request.ts", import.meta.url), [path, startFile]),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // every process has imported and waits
    await writeFile(startFile, "");
    const printed = (await Promise.all(runs)).map(
      ({ stdout }) => JSON.parse(stdout.trim().split("\n").at(-1) as string) as { code?: string; attempts: number },
    );

    expect(printed.map((p) => p.code)).toEqual(Array(6).fill("SPAWN_FAILED"));
    expect(printed.reduce((sum, p) => sum + p.attempts, 0)).toBe(1);
  },
);
