import { defineConfig } from "vitest/config";
import { workspaceAliases } from "../../vitest.shared.js";

/** Real `opencode serve` processes: slower, and kept out of `npm test`. */
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    name: "e2e",
    root: import.meta.dirname,
    include: ["test/**/*.e2e.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
