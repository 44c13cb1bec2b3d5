import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the console's .svelte and .svelte.ts files (runes) for its tests; other files pass through untouched.
  plugins: [svelte({ configFile: false })],
  test: {
    include: ['**/src/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
