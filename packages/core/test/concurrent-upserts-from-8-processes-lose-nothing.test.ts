import { expect, test } from "vitest";
import { DeviceRegistry } from "../src/index.js";
import { runNodeScript } from "./support/node-script.js";
import { tempRegistryPath } from "./support/temp-files.js";

test("8 OS processes doing 50 upserts each on one registry lose no entry", { timeout: 120_000 }, async () => {
  const path = await tempRegistryPath();

  await Promise.all(Array.from({ length: 8 }, (_, n) => runNodeScript("upsert-many.ts", [path, "50", `p${n}`])));

  const ids = new Set((await new DeviceRegistry({ path }).list()).map((record) => record.id));
  expect(ids.size).toBe(400);
});
