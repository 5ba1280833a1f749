import { DeviceRegistry } from "@modelpool/core";
import { runNodeScript, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

test("8 OS processes doing 50 upserts each on one registry lose no entry", { timeout: 120_000 }, async () => {
  const path = await tempRegistryPath();

  await Promise.all(
    Array.from({ length: 8 }, (_, n) =>
      runNodeScript(new URL("./fixtures/upsert-many.ts", import.meta.url), [path, "50", `p${n}`]),
    ),
  );

  const ids = new Set((await new DeviceRegistry({ path }).list()).map((record) => record.id));
  expect(ids.size).toBe(400);
});
