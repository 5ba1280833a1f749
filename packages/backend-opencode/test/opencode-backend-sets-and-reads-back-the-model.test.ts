import { fileURLToPath } from "node:url";
import { opencodeBackend } from "@modelpool/backend-opencode";
import { isInvalidOptionsError, WorkerPool } from "@modelpool/core";
import { ExactModelPolicy } from "@modelpool/policy-exact";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

const FAKE_OPENCODE = fileURLToPath(new URL("fixtures/fake-opencode.mjs", import.meta.url));

async function poolOver(env: Record<string, string> = {}) {
  const pool = new WorkerPool({
    backend: opencodeBackend({ command: FAKE_OPENCODE, env, config: { share: "disabled" } }),
    registry: await tempRegistryPath(),
    plugins: [new ExactModelPolicy()],
    healthyForMs: 0, // probe on every reuse: the probe is what is under test
  });
  onTestFinished(() => pool.stopAll().then(() => undefined));
  return pool;
}

test("the request's model goes into OPENCODE_CONFIG_CONTENT, merged over the configured opencode config", async () => {
  const pool = await poolOver();
  const { worker } = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "openai/gpt-5-mini" } });

  const config = (await (await fetch(`${worker.url}/config`)).json()) as Record<string, unknown>;

  expect(config).toMatchObject({ model: "openai/gpt-5-mini", share: "disabled" });
  expect(config.argv).toEqual(["serve", "--port", "0", "--hostname", "127.0.0.1", "--pure"]);
});

test("a server whose live model differs from its record is not reused: GET /config wins", async () => {
  const pool = await poolOver({ FAKE_OPENCODE_MODEL: "openai/gpt-5-nano" });
  const first = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "openai/gpt-5-mini" } });
  await first.release();

  const second = await pool.getOrSpawn({ workerId: "coder", fingerprint: { resolvedModel: "openai/gpt-5-mini" } });

  expect(second.decision.outcome).toBe("spawned");
  expect(second.decision.considered.map((c) => c.verdict.reason).join("\n")).toContain(
    "its live model is openai/gpt-5-nano",
  );
});

test("unknown options are refused with a typed error naming the field", () => {
  let caught: unknown;
  try {
    opencodeBackend({ comand: "opencode" } as never);
  } catch (error) {
    caught = error;
  }
  expect(isInvalidOptionsError(caught)).toBe(true);
  expect(caught).toMatchObject({ code: "INVALID_OPTIONS", subject: "opencodeBackend" });
  expect(String((caught as Error).message)).toContain("comand");
});
