// The orchestrator adapter's tests as a plain script, for runtimes without vitest:
//   node --import tsx --conditions=@modelpool/source examples/test/orchestrator-adapter.check.ts
//   bun --conditions=@modelpool/source examples/test/orchestrator-adapter.check.ts
// Exits 1 if any check fails.
import { scenarios } from "./orchestrator-adapter-scenarios.js";

const runtime =
  "Bun" in globalThis ? `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}` : `node ${process.version}`;
let failed = 0;
for (const scenario of scenarios) {
  try {
    await scenario.run();
    console.log(`ok - ${scenario.name}`);
  } catch (error) {
    failed++;
    console.log(
      `not ok - ${scenario.name}\n  ${String(error instanceof Error ? (error.stack ?? error) : error).replaceAll("\n", "\n  ")}`,
    );
  }
}
console.log(`${scenarios.length - failed}/${scenarios.length} orchestrator-adapter checks passed under ${runtime}`);
process.exit(failed === 0 ? 0 : 1);
