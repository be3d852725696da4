#!/usr/bin/env node
// Builds the scripts of the pages sent without React (app/enhance/entries/*.ts: /complaints/new, /report/new,
// /track) into <build>/public/build/enhance/, content-hashed, with the chunks they share and the map's Leaflet chunk
// (loaded only when a map is opened). The server learns their addresses from <build>/build/enhance-manifest.json
// (app/utils/enhance-scripts.server.ts). BUILD_DIR (optional) is the build folder, as for remix.config.js.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const buildRoot = process.env.BUILD_DIR ? path.resolve(process.env.BUILD_DIR) : process.cwd();
const outdir = path.join(buildRoot, "public", "build", "enhance");
const entriesDir = "app/enhance/entries";
const entryPoints = Object.fromEntries(
  fs
    .readdirSync(entriesDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => [path.basename(f, ".ts"), path.join(entriesDir, f)]),
);

fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints,
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  // What the portal's React pages support too (Remix's browser build).
  target: ["es2019"],
  minify: true,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
  publicPath: "/build/enhance",
  loader: { ".css": "file", ".png": "file" },
  alias: { "~": "./app" },
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

const manifest = {};
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (!out.entryPoint) continue;
  const name = Object.keys(entryPoints).find((n) => path.resolve(entryPoints[n]) === path.resolve(out.entryPoint));
  if (name) manifest[name] = `/build/enhance/${path.relative(outdir, path.resolve(file)).split(path.sep).join("/")}`;
}
fs.mkdirSync(path.join(buildRoot, "build"), { recursive: true });
fs.writeFileSync(path.join(buildRoot, "build", "enhance-manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`build-enhance: ${Object.keys(manifest).length} page scripts (${Object.keys(manifest).join(", ")})`);
