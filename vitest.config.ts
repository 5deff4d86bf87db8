import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: integration files each get their own database, so parallel files are safe,
    // but kuromoji (300 MB, 1 s) per worker makes more than two workers slower, not faster.
    maxWorkers: 2,
  },
});
