// Vitest config: Node unit tests next to the code, and browser tests in Debian's Chromium with WebGPU on SwiftShader.
import { defineConfig, mergeConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import viteConfig from './vite.config.ts';
import { chromiumLaunchOptions } from './tests/chromium.ts';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            environment: 'node',
            include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
            exclude: ['src/**/*.browser.test.ts'],
            // Model tests run real training steps and tokenizers; on a loaded 2-core machine 5 s is too tight.
            testTimeout: 30_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            include: ['src/**/*.browser.test.ts', 'tests/browser/**/*.test.ts'],
            testTimeout: 60_000,
            browser: {
              enabled: true,
              screenshotDirectory: 'test-results/browser-failures',
              headless: true,
              provider: playwright({ launchOptions: chromiumLaunchOptions() }),
              instances: [{ browser: 'chromium' }],
            },
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            environment: 'node',
            include: ['tests/e2e/**/*.test.ts'],
            globalSetup: ['tests/e2e/server.ts'],
            testTimeout: 90_000,
            hookTimeout: 120_000,
            // One Chromium at a time: the machine has two cores.
            fileParallelism: false,
          },
        },
      ],
    },
  }),
);
