import { stopRecordedWorkersAfterTest, tempRegistryPath } from "@modelpool/test-utils";
import { expect, test } from "vitest";
import { startRequester } from "./fixtures/requester.js";

test("a process waiting on another's spawn does not take the finished worker when the gate refuses it (URL not allowed)", {
  timeout: 60_000,
}, async () => {
  const path = await tempRegistryPath();
  stopRecordedWorkersAfterTest(path);
  // A's workers say they are reachable on another machine (A allows that); B allows only loopback URLs.
  const a = await startRequester(path, {
    remoteUrl: "http://10.255.0.1:9",
    allowRemoteUrls: true,
    startDelayMs: 1_500,
  });
  const b = await startRequester(path);

  const first = a.ask("docs", "m");
  await new Promise((resolve) => setTimeout(resolve, 500)); // B asks while A's spawn holds the claim
  const second = await b.ask("docs", "m");
  const spawned = await first;

  expect(spawned).toMatchObject({ step: "leased", outcome: "spawned" });
  expect(second.step).toBe("leased");
  expect(second.pid).not.toBe(spawned.pid);
  expect(second.considered).toContainEqual({ pid: spawned.pid, code: "URL_NOT_ALLOWED" });
  await Promise.all([a.exit(), b.exit()]);
});
