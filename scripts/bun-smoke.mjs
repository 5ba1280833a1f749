#!/usr/bin/env node
// Runs what a Bun user runs, under Bun (the npm `bun` package, `npx bun`): each example script, the README's
// usage snippet as written, and the RegistryStore contract suite (`bun test`, with real OS processes).
// An example fails when it exits non-zero or prints a modelpool warning (`[MODELPOOL_...] Warning`):
// under Node those examples print none.
//   node scripts/bun-smoke.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = realpathSync(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(root, ".bun-smoke-")); // inside the repository: @modelpool/* resolve as in a clone
const bun = (args, options = {}) =>
  spawnSync("npx", ["--no-install", "bun", ...args], { cwd: root, encoding: "utf8", timeout: 300_000, ...options });

const checks = [
  ...["demo", "custom-policy", "log-decisions", "two-processes"].map((name) => ({
    name: `examples/${name}.ts`,
    // Source condition: the examples run on the packages' TypeScript sources, as `npm start` does.
    args: [
      "--conditions=@modelpool/source",
      `examples/${name}.ts`,
      ...(name === "demo" ? ["--registry", join(scratch, "demo-registry")] : []),
    ],
    expect: (out) => out.length > 0,
  })),
  {
    name: "README usage snippet (```js readme-usage), on the built packages",
    prepare: () => {
      const code = /```js readme-usage\n([\s\S]*?)```/.exec(readFileSync(join(root, "README.md"), "utf8"))?.[1];
      if (!code) throw new Error("README.md has no ```js readme-usage block");
      writeFileSync(join(scratch, "usage.mjs"), code);
    },
    args: [join(scratch, "usage.mjs")],
    expect: (out) => out.includes("reused true"),
  },
  {
    name: "RegistryStore contract suite (DeviceRegistry), bun test",
    args: [
      "test",
      "--timeout",
      "60000",
      "--conditions=@modelpool/source",
      "packages/core/test/device-registry-keeps-the-store-contract.test.ts",
    ],
    expect: () => true,
  },
];

let failed = 0;
try {
  for (const check of checks) {
    check.prepare?.();
    const result = bun(check.args);
    const warned = /\[MODELPOOL_[A-Z_]+\] Warning/.exec(result.stderr ?? "");
    const ok = result.status === 0 && !warned && check.expect(result.stdout ?? "");
    console.log(`${ok ? "✓" : "✗"} bun: ${check.name}`);
    if (!ok) {
      failed++;
      console.log(
        `  exit ${result.status}${result.error ? ` (${result.error.message})` : ""}${warned ? `; warned: ${warned[0]}` : ""}`,
      );
      console.log(`${result.stdout}\n${result.stderr}`.trim().replace(/^/gm, "    "));
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`bun ${bun(["--version"]).stdout.trim()}: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
