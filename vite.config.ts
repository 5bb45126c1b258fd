// Vite config for the app: Svelte 5, module workers, cross-origin isolation headers, self-hosted onnxruntime-web wasm.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** COOP + COEP make the page cross-origin isolated, which unlocks SharedArrayBuffer and wasm threads. */
export const crossOriginIsolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [svelte()],
  server: { headers: crossOriginIsolationHeaders },
  preview: { headers: crossOriginIsolationHeaders },
  worker: { format: 'es' },
  optimizeDeps: {
    // onnxruntime-web locates its wasm next to its own module; pre-bundling would move it.
    exclude: ['onnxruntime-web', '@huggingface/transformers'],
  },
  build: { target: 'es2022' },
});
