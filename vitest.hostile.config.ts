import { defineConfig } from "vitest/config";
import { raceProject } from "./vitest.shared.js";

/**
 * `npm run test:hostile` (packages/test-utils/src/hostile/run.ts starts vitest with this config, inside the
 * hostile world it makes): the safety races of every package that has them.
 */
export default defineConfig({
  test: {
    globalSetup: ["packages/test-utils/src/script-bundles-setup.ts"],
    projects: [
      raceProject("packages/core", "core"),
      raceProject("packages/registry-redis", "registry-redis"),
      raceProject("packages/cli", "cli"),
    ],
    // Races wait on their processes far more than they compute, and the busy processes take a share of
    // the cores per runnable process: three files at a time keep the races' share up.
    maxWorkers: 3,
    // A race that ends its runs early (a crash of its own) is a failure, never a silent pass.
    passWithNoTests: false,
  },
});
