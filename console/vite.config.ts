import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/** Where `npm run dev` forwards `/api` (HTTP and the feed's WebSocket): a gateway started with `npm start`. */
const gateway = process.env.WSGW_CONSOLE_DEV_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // The gateway serves the built page under /console/.
  base: '/console/',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: gateway, ws: true },
    },
  },
});
