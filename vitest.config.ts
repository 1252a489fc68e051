import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // PostgreSQL for the state-store tests: TERRAFIX_TEST_POSTGRES_URL, or one started for the run.
    globalSetup: ["test/global-setup/postgres.ts"],
    // Hang guards, not speed limits (speed is measured in bench/): generous enough that the process
    // and replica tests finish on a loaded 2-core machine (they needed over 60 s at load 25).
    testTimeout: 240_000,
    hookTimeout: 120_000,
    // Integration tests spawn git, servers and child processes: keep the 2-core machine responsive.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // In CI a JSON report as well, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env["CI"] === "true" ? ["default", "json"] : ["default"],
    outputFile: { json: "reports/test-results.json" },
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/main.ts"],
      reporter: ["text-summary", "json-summary"],
      thresholds: {
        lines: 90,
        "src/domain/**": { lines: 90 },
        "src/terraform/**": { lines: 90 },
        "src/controls/**": { lines: 90 },
      },
    },
  },
});
