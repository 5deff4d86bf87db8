import { defineConfig } from 'vitest/config';

// Two projects: unit tests never touch a database, so they skip the global set-up that creates
// and migrates the template database (`npx vitest run --project unit` runs them alone); integration
// and page tests get it. `npm test` runs both.
const shared = {
  setupFiles: ['test/setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    // Two cores: integration files each get their own database, so parallel files are safe,
    // but kuromoji (300 MB, 1 s) per worker makes more than two workers slower, not faster.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
