import { defineConfig } from "vitest/config";

// Real worker processes start in these tests: leave slow machines room.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000 } });
