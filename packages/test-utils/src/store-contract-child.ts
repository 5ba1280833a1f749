// One OS process of a store contract test: opens the store named on the command line, waits for "go" on
// stdin (so that all processes start together), does its part, prints the outcome as one JSON line, and
// stays alive until "end" (a claim holder that exited early would rightly lose its claim to a latecomer).
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { processIdentityOf, type RegistryStore } from "@modelpool/core";

const [opener, spec, hostId, mode, ...rest] = process.argv.slice(2);
if (!opener || !spec || !hostId || !mode)
  throw new Error("usage: store-contract-child <opener> <spec> <hostId> <mode> ...");
const { openStore } = (await import(opener.startsWith("file:") ? opener : pathToFileURL(opener).href)) as {
  openStore(spec: string, hostId: string): Promise<RegistryStore>;
};
const store = await openStore(spec, hostId);

process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const waitFor = async (word: string) => {
  for (let line = await lines.next(); !line.done; line = await lines.next()) if (line.value === word) return;
};
await waitFor("go");

if (mode === "claim") {
  const [key = "", workerId = ""] = rest;
  const me = processIdentityOf(process.pid);
  const attempt = await store.acquireClaim({ key, workerId, owner: { ...me, host: hostId }, ttlMs: 60_000 });
  process.stdout.write(`${JSON.stringify(attempt)}\n`);
} else if (mode === "increment") {
  const [workerId = "", id = "", times = "0"] = rest;
  for (let i = 0; i < Number(times); i++) {
    await store.update({ workerId, id }, (record) => ({ ...record, counter: Number(record.counter ?? 0) + 1 }));
  }
  process.stdout.write(`${JSON.stringify({ done: Number(times) })}\n`);
} else throw new Error(`unknown mode ${mode}`);
await waitFor("end");
await store.close?.();
process.exit(0);
