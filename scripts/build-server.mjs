// Bundles the production server (scripts/serve.ts and the server modules it imports) into build/server.js, and its
// deadline ticker thread (scripts/deadline-worker.ts) into build/deadline-worker.js next to it — the server starts the
// worker from the file beside its own — so `npm start` runs plain JavaScript with no TypeScript loader in memory.
// Packages stay external (node_modules).
import path from "node:path";
import { build } from "esbuild";

const outRoot = process.env.BUILD_DIR ? path.resolve(process.env.BUILD_DIR) : process.cwd();
await build({
  entryPoints: { server: "scripts/serve.ts", "deadline-worker": "scripts/deadline-worker.ts" },
  outdir: path.join(outRoot, "build"),
  bundle: true,
  platform: "node",
  // Every Node.js line package.json's engines accepts (esbuild keeps to what all of them run): 20.19+, 22 LTS, 24 LTS.
  target: ["node20.19", "node22", "node24"],
  format: "esm",
  packages: "external",
  sourcemap: true,
  alias: { "~": "./app" },
  banner: { js: "// Built by scripts/build-server.mjs from scripts/serve.ts and scripts/deadline-worker.ts — do not edit." },
  logLevel: "warning",
});
