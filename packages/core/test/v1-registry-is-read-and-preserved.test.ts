import { copyFile, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { DeviceRegistry } from "@modelpool/core";
import { tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";

const V1_FIXTURE = fileURLToPath(new URL("fixtures/registry-v1.json", import.meta.url));

test("a version-1 file is read: model and modelPolicy become the fingerprint, a model-less entry has none", async () => {
  const path = await tempRegistryPath();
  await copyFile(V1_FIXTURE, path);

  const workers = await new DeviceRegistry({ path }).list();

  expect(workers).toHaveLength(2);
  expect(workers[0]).toMatchObject({
    workerId: "docs",
    pid: 999999,
    url: "http://127.0.0.1:4096",
    sessionId: "ses_abc",
    orchestratorInstanceId: "orch-1",
    fingerprint: { resolvedModel: "openai/gpt-5-nano", modelPolicy: "sticky" },
  });
  expect(workers[1]?.workerId).toBe("coder");
  expect(workers[1]?.fingerprint).toBeUndefined();
});

test("rewriting a version-1 file keeps sessions and unreadable entries verbatim", async () => {
  const path = await tempRegistryPath();
  await copyFile(V1_FIXTURE, path);
  const original = JSON.parse(await readFile(V1_FIXTURE, "utf8"));
  const registry = new DeviceRegistry({ path });

  await registry.remove((record) => record.workerId === "coder");

  const rewritten = JSON.parse(await readFile(path, "utf8"));
  expect(rewritten.version).toBe(2);
  expect(rewritten.entries).toContainEqual(original.entries[2]); // the session
  expect(rewritten.entries).toContainEqual(original.entries[3]); // the worker entry it could not read
  expect(rewritten.entries.filter((e: { kind: string }) => e.kind === "worker")).toHaveLength(2);
  const contents = await registry.read();
  expect(contents.invalid).toHaveLength(1);
  expect(contents.invalid[0]?.reason).toMatch(/pid/);
});
