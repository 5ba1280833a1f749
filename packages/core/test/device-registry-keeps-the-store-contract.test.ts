import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempRegistryPath } from "@modelpool/test-utils";
import { describe } from "vitest";
import { describeRegistryStoreContract } from "../../test-utils/src/store-contract.js";

// The same contract every RegistryStore keeps (the fleet store runs it on a real Redis).
describe("DeviceRegistry", () => {
  describeRegistryStoreContract("DeviceRegistry", {
    opener: new URL("./fixtures/open-device-registry.ts", import.meta.url),
    freshSpec: () => tempRegistryPath(),
    corruptRecord: async (spec, ref) => {
      // Ids of the contract are plain file names (letters, digits, `-`): they are their own encoding.
      writeFileSync(join(spec, "workers", ref.workerId, `${ref.id}.json`), "{not json", { mode: 0o600 });
    },
  });
});
