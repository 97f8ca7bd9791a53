import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { contentSecurityPolicyMeta } from './build/csp.ts';
import { serviceWorker } from './build/service-worker-plugin.ts';

export default defineConfig({
  // Relative asset URLs, so the build runs under any path prefix.
  base: './',
  // The policy and sw.js exist only in the build (see build/).
  plugins: [react(), contentSecurityPolicyMeta(), serviceWorker()],
  worker: {
    format: 'es',
  },
  build: {
    target: 'es2022',
  },
});
