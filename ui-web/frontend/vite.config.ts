import { defineConfig } from 'vite';

// The port node serves dist/ itself; `npm run dev` proxies the API to a node on port 18080
// (PORTSCREEN_URL overrides) so the frontend can be worked on with live reload.
export default defineConfig({
    base: '/',
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        sourcemap: false,
        chunkSizeWarningLimit: 1200,
    },
    server: {
        proxy: {
            '/api': {
                target: process.env.PORTSCREEN_URL ?? 'http://127.0.0.1:18080',
                changeOrigin: false,
            },
        },
    },
});
