// Bundles the production server (scripts/serve.ts and the server modules it imports) into build/server.js, so
// `npm start` runs plain JavaScript with no TypeScript loader in memory. Packages stay external (node_modules).
import path from "node:path";
import { build } from "esbuild";

const outRoot = process.env.BUILD_DIR ? path.resolve(process.env.BUILD_DIR) : process.cwd();
await build({
  entryPoints: ["scripts/serve.ts"],
  outfile: path.join(outRoot, "build", "server.js"),
  bundle: true,
  platform: "node",
  // Every Node.js line package.json's engines accepts (esbuild keeps to what all of them run): 20.19+, 22 LTS, 24 LTS.
  target: ["node20.19", "node22", "node24"],
  format: "esm",
  packages: "external",
  sourcemap: true,
  alias: { "~": "./app" },
  banner: { js: "// Built by scripts/build-server.mjs from scripts/serve.ts — do not edit." },
  logLevel: "warning",
});
