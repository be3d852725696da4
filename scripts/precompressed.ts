/**
 * Serves the brotli copies the build wrote next to the browser assets (scripts/build-compress.mjs: x.js → x.js.br) to
 * browsers that accept brotli; anything else (no copy, no brotli) goes on to the ordinary static files. The assets'
 * names carry a hash of their content, so they are kept for a year.
 */
import fs from "node:fs";
import path from "node:path";
import type { NextFunction, Request, Response } from "express";

export function precompressedAssets(root: string) {
  const base = path.resolve(root);
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || !/\bbr\b/.test(String(req.headers["accept-encoding"] ?? ""))) return next();
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const file = path.join(base, rel);
    if (!file.startsWith(base + path.sep) || rel.includes("\0")) return next();
    fs.stat(`${file}.br`, (err, st) => {
      if (err || !st.isFile()) return next();
      res.type(path.extname(file));
      res.setHeader("Content-Encoding", "br");
      res.setHeader("Content-Length", String(st.size));
      res.setHeader("Vary", "Accept-Encoding");
      res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
      if (req.method === "HEAD") return void res.end();
      const stream = fs.createReadStream(`${file}.br`);
      stream.on("error", () => res.destroy());
      stream.pipe(res);
    });
  };
}
