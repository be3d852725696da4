/**
 * Remix v2 classic compiler. BUILD_DIR (optional) puts the server build and browser assets under another folder,
 * so several builds can exist side by side (tests, benchmarks); the default is ./build and ./public/build.
 * @type {import('@remix-run/dev').AppConfig}
 */
const dir = process.env.BUILD_DIR;
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  serverModuleFormat: "esm",
  serverPlatform: "node",
  serverBuildPath: dir ? `${dir}/build/index.js` : "build/index.js",
  assetsBuildDirectory: dir ? `${dir}/public/build` : "public/build",
  publicPath: "/build/",
  future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true },
};
