// Vite config for the lab SPA. The worker is an ES module worker; tfjs-backend-wasm's .wasm files are
// served from node_modules by Vite's asset handling.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
