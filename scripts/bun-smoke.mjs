#!/usr/bin/env node
// Runs what a Bun user runs, under Bun (the npm `bun` package, `npx bun`): each example script, the README's
// usage snippet as written, and the RegistryStore contract suites (`bun test`, with real OS processes; the
// fleet store's and the fleet example on a private redis-server, when one is installed, as CI installs it).
// An example fails when it exits non-zero or prints a modelpool warning (`[MODELPOOL_...] Warning`):
// under Node those examples print none.
//   node scripts/bun-smoke.mjs
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const root = realpathSync(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(root, ".bun-smoke-")); // inside the repository: @modelpool/* resolve as in a clone
const bun = (args, options = {}) =>
  spawnSync("npx", ["--no-install", "bun", ...args], { cwd: root, encoding: "utf8", timeout: 900_000, ...options });

const redisInstalled = (() => {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** A private redis-server on a free loopback port, no persistence; resolves to its URL and a stop(). */
async function startRedis() {
  const port = await new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", args, { stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    if (spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout?.trim() === "PONG") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

const contractSuite = (name, file) => ({
  name: `RegistryStore contract suite (${name}), bun test`,
  args: ["test", "--timeout", "180000", "--conditions=@modelpool/source", file],
  expect: () => true,
});

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
    // The orchestrator adapter's own behaviours (reuse, forceNew, a model change, its registry file, five
    // concurrent requests sharing one spawn, stop, adopt), as node:assert checks a Bun app would run.
    name: "examples/test/orchestrator-adapter.check.ts (the orchestrator adapter's scenarios)",
    args: ["--conditions=@modelpool/source", "examples/test/orchestrator-adapter.check.ts"],
    expect: () => true,
  },
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
  contractSuite("DeviceRegistry", "packages/core/test/device-registry-keeps-the-store-contract.test.ts"),
  ...(redisInstalled
    ? [
        contractSuite(
          "RedisRegistry, its own redis-server",
          "packages/registry-redis/test/redis-registry-contract.test.ts",
        ),
        {
          name: "examples/fleet-two-hosts.ts (a private redis-server)",
          redis: true,
          args: ["--conditions=@modelpool/source", "examples/fleet-two-hosts.ts"],
          expect: (out) => /host-b: reused worker/.test(out),
        },
      ]
    : []),
];

let failed = 0;
try {
  for (const check of checks) {
    check.prepare?.();
    const redis = check.redis ? await startRedis() : undefined;
    let result;
    try {
      result = bun(check.args, redis ? { env: { ...process.env, REDIS_URL: redis.url } } : {});
    } finally {
      redis?.stop();
    }
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
if (!redisInstalled) console.log("(redis-server is not installed: the fleet store's checks did not run)");
process.exit(failed > 0 ? 1 : 0);
