// Another process changing the target's record, on command: for each line on stdin it rewrites the
// record (a new updatedAt) through its own registry instance and prints `changed <updatedAt>`.
import { createInterface } from "node:readline";
import { DeviceRegistry } from "@modelpool/core";
import { TARGET } from "./target.js";

const [path] = process.argv.slice(2) as [string];
const registry = new DeviceRegistry({ path, legacySources: false });
console.log("ready");
for await (const _line of createInterface({ input: process.stdin })) {
  const updatedAt = Date.now();
  const changed = await registry.update({ workerId: TARGET.workerId, id: "entry-0" }, (r) => ({ ...r, updatedAt }));
  if (!changed) throw new Error("the change found no record");
  console.log(`changed ${updatedAt}`);
}
