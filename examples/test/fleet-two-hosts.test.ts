import { redisServerMissing, runNodeScript, TestRedisServer } from "@modelpool/test-utils";
import { expect, onTestFinished, test } from "vitest";

const missing = redisServerMissing();

test.skipIf(missing !== undefined)(
  `two hosts on one Redis: host B reuses host A's worker through its URL${missing ? ` (skipped: ${missing})` : ""}`,
  async () => {
    const server = await TestRedisServer.start();
    onTestFinished(() => server.stop());
    const { stdout } = await runNodeScript(new URL("../fleet-two-hosts.ts", import.meta.url), [], {
      REDIS_URL: server.url,
    });
    const [a, b, left] = stdout.trim().split("\n");
    const url = /spawned worker (http:\/\/127\.0\.0\.2:\d+) on host-a/.exec(a ?? "")?.[1];
    expect(url).toBeDefined();
    expect(b).toContain(`host-b: reused worker ${url} on host-a`);
    expect(left).toMatch(/records left in namespace \S+: 0/);
  },
);
