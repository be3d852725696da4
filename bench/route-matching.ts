/**
 * `node --import tsx bench/route-matching.ts [build folder]`: microseconds per route match of the built app's routes
 * (Remix's server-side matching, as done for every request), to check the router patch (scripts/patches) still pays.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRoutes } from "@remix-run/server-runtime/dist/routes.js";
import { matchServerRoutes } from "@remix-run/server-runtime/dist/routeMatching.js";

const buildDir = path.resolve(process.argv[2] ?? process.env.BUILD_DIR ?? ".");
const build = await import(pathToFileURL(path.join(buildDir, "build", "index.js")).href);
const routes = createRoutes(build.routes);
const paths = ["/track", "/staff", "/staff/cases/WL-2569-00001", "/report/inbox", "/stats/report/2569", "/no/such/page"];
for (let i = 0; i < 2_000; i++) matchServerRoutes(routes, paths[i % paths.length]);
const n = 20_000;
const t0 = performance.now();
for (let i = 0; i < n; i++) matchServerRoutes(routes, paths[i % paths.length]);
const us = ((performance.now() - t0) * 1000) / n;
console.log(`${Object.keys(build.routes).length} routes: ${us.toFixed(1)} µs per match`);
