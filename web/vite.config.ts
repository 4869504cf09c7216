import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard builds into dist/web at the package root, beside the compiled service, which serves it at /.
 * Hashed file names under assets/ let the service cache them for a year; index.html is never cached.
 */
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // One bundle (React, uPlot, the pages: ~107 KB gzipped) loads faster on a phone than a waterfall of chunks.
    chunkSizeWarningLimit: 400,
  },
});
