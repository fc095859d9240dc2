import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The panel's Django serves the build through django-vite: it reads
// <outDir>/.vite/manifest.json and links the entry's files under STATIC_URL,
// so every URL Vite writes into the bundle must start with /static/.
export default defineConfig({
  base: '/static/',
  plugins: [react(), tailwindcss()],
  build: {
    manifest: true,
    outDir: process.env['SUPERCP_FRONTEND_OUT'] || 'dist',
    // The out dir usually lies outside this folder (the installer's static
    // dir); Vite only empties such a dir when told, and stale hashed files
    // would otherwise pile up there with every release.
    emptyOutDir: true,
    rolldownOptions: { input: 'src/main.tsx' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
