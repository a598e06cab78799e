import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

// The console and the development IDE, built into dist/console where the gateway serves them
// (`/console/`, and `/graphql` for browsers outside production). Everything is bundled: no CDN.
export default defineConfig({
  root: here('.'),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: here('../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      input: { console: here('index.html'), ide: here('ide/index.html') },
      // GraphiQL's React Compiler output marks modules "use no memo"; bundling them is fine.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  worker: { format: 'es' },
});
