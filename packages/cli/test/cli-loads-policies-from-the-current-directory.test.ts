import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir, tempRegistryPath, testPool } from "@modelpool/test-utils";
import { beforeAll, expect, test } from "vitest";

// These run the real `modelpool` bin under plain Node, as a user's shell does: that is where module
// resolution and `.ts` loading differ from the test runner's.
const BIN = fileURLToPath(new URL("../bin/modelpool.js", import.meta.url));
const REPOSITORY = fileURLToPath(new URL("../../..", import.meta.url));

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL("../dist/bin.js", import.meta.url)))) {
    throw new Error("packages/cli/dist is missing: run `npm run build` before these tests");
  }
});

function modelpool(cwd: string, ...argv: string[]) {
  const child = spawn(process.execPath, [BIN, ...argv], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, out, err })),
  );
}

/** A registry holding one live worker for `docs`, so explain has a candidate to judge. */
async function registryWithOneWorker() {
  const path = await tempRegistryPath();
  await testPool({ registry: path }).getOrSpawn({ workerId: "docs", fingerprint: { resolvedModel: "m" } });
  return path;
}

/** A policy written as a user would, in plain JS with no import of core: it taps canReuse by duck typing. */
const POLICY_SOURCE = (name: string) => `export default {
  apply(pool) {
    pool.hooks.canReuse.tapPromise("${name}", async () => ({ reuse: true, reason: "${name} allows it", by: "${name}" }));
  },
};
`;

test("--policy <package> resolves from the current directory, not from where modelpool is installed", async () => {
  const project = await tempDir();
  const packageDir = join(project, "node_modules", "acme-policy");
  await mkdir(packageDir, { recursive: true });
  await writeFile(
    join(packageDir, "package.json"),
    JSON.stringify({ name: "acme-policy", type: "module", main: "index.js" }),
  );
  await writeFile(join(packageDir, "index.js"), POLICY_SOURCE("AcmePolicy"));
  const registry = await registryWithOneWorker();

  const { code, out, err } = await modelpool(
    project,
    "explain",
    "docs",
    "m",
    "--policy",
    "acme-policy",
    "--registry",
    registry,
  );

  expect(err).toBe("");
  expect(code).toBe(0);
  expect(out).toMatch(/^would reuse/);
  expect(out).toMatch(/registry\s+reuse\s+AcmePolicy\s+AcmePolicy allows it/);
});

test("a .ts policy file loads through tsx when tsx is installed where modelpool runs", async () => {
  const dir = await tempDir();
  const policy = join(dir, "typed-policy.ts");
  await writeFile(
    policy,
    `type Pool = { hooks: { canReuse: { tapPromise: Function } } };\n${POLICY_SOURCE("TypedPolicy").replace("apply(pool)", "apply(pool: Pool)")}`,
  );
  const registry = await registryWithOneWorker();

  // The repository has tsx installed: run from there.
  const { code, out, err } = await modelpool(
    REPOSITORY,
    "explain",
    "docs",
    "m",
    "--policy",
    policy,
    "--registry",
    registry,
  );

  expect(err).toBe("");
  expect(code).toBe(0);
  expect(out).toMatch(/reuse\s+TypedPolicy\s+TypedPolicy allows it/);
});

test("a .ts policy file without tsx around exits 2 and says how to load it", async () => {
  const project = await tempDir(); // outside the repository: no tsx to find
  // An enum: TypeScript that no Node version runs by stripping types, so this holds on every Node.
  await writeFile(join(project, "typed-policy.ts"), "enum Verdict { Allow }\nexport default Verdict;\n");

  const { code, err } = await modelpool(
    project,
    "explain",
    "docs",
    "m",
    "--policy",
    "./typed-policy.ts",
    "--registry",
    await tempRegistryPath(),
  );

  expect(code).toBe(2);
  expect(err).toContain('policy module "./typed-policy.ts" is TypeScript: install tsx where you run modelpool');
});
