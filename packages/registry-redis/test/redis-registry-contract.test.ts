import { randomUUID } from "node:crypto";
import { RegistryKeys } from "@modelpool/registry-redis";
import { afterAll, beforeAll, describe } from "vitest";
import { redisServerMissing, TestRedisServer } from "../../test-utils/src/redis-server.js";
import { describeRegistryStoreContract } from "../../test-utils/src/store-contract.js";

const missing = redisServerMissing();

describe.skipIf(missing !== undefined)(
  `RedisRegistry on a real redis-server${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let server: TestRedisServer;
    beforeAll(async () => {
      server = await TestRedisServer.start();
    });
    afterAll(() => server?.stop());

    describeRegistryStoreContract("RedisRegistry", {
      opener: new URL("./fixtures/open-redis-store.ts", import.meta.url),
      // One namespace per test: tests share the server and never see each other's keys.
      freshSpec: async () => JSON.stringify({ url: server.url, namespace: `contract-${randomUUID()}` }),
      corruptRecord: async (spec, ref) => {
        const { namespace } = JSON.parse(spec) as { namespace: string };
        server.cli("SET", new RegistryKeys(namespace).record(ref.workerId, ref.id), "{not json");
      },
    });
  },
);
