/**
 * Compression of answers the server holds whole in memory (pages, JSON): one call of zlib on the worker threads and one
 * write with its Content-Length, instead of the `compression` middleware's stream (a zlib stream per response, its
 * chunks written one by one with chunked transfer encoding). Files, downloads and anything streamed still go through
 * the middleware (scripts/serve.ts), with the same brotli settings (BROTLI_PARAMS). The middleware leaves an answer
 * that already has a Content-Encoding alone.
 *
 * Measured on the staff queue with a browser's Accept-Encoding, alternating the two ways (docs/page-cost.md): 326 →
 * 350 pages/s, p95 57.9 → 48.5 ms.
 */
import zlib from "node:zlib";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";

/**
 * Brotli at quality 3 with a 256 KB window for everything compressed as it is sent: a page is tens of kilobytes.
 * Measured on a staff queue page (53 KB): quality 5 took 0.5 ms of CPU for 5.7 KB, quality 3 0.25 ms for 6.8 KB;
 * quality 1 (7.5 KB) was no faster under load. The browser build's scripts have best-quality copies (precompressed.ts).
 */
export const BROTLI_PARAMS: Record<number, number> = {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 3,
  [zlib.constants.BROTLI_PARAM_LGWIN]: 18,
};

/** Smaller answers are sent as they are (the middleware's threshold too): compressing them gains nothing. */
export const COMPRESS_MIN_BYTES = 1024;

const COMPRESSIBLE = /^(text\/html|application\/json)\b/i;

export type BodyEncoding = "br" | "gzip" | "identity";

/** The encoding for this answer: brotli when the browser takes it (br;q=0 refuses it), else gzip, else none. */
export function wholeBodyEncoding(
  req: Pick<ExpressRequest, "method" | "acceptsEncodings">,
  res: Pick<ExpressResponse, "getHeader">,
  bytes: number,
): BodyEncoding {
  if (req.method === "HEAD" || bytes < COMPRESS_MIN_BYTES) return "identity";
  if (res.getHeader("Content-Encoding") !== undefined) return "identity";
  if (!COMPRESSIBLE.test(String(res.getHeader("Content-Type") ?? ""))) return "identity";
  if (/\bno-transform\b/i.test(String(res.getHeader("Cache-Control") ?? ""))) return "identity";
  // Brotli whenever the browser takes it (browsers list gzip first, with the same weight), as the middleware does.
  if (req.acceptsEncodings("br") === "br") return "br";
  return req.acceptsEncodings("gzip") === "gzip" ? "gzip" : "identity";
}

function compress(body: Buffer, encoding: "br" | "gzip"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer) => (error ? reject(error) : resolve(out));
    if (encoding === "br") {
      zlib.brotliCompress(body, { params: { ...BROTLI_PARAMS, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, done);
    } else {
      zlib.gzip(body, done);
    }
  });
}

/**
 * Ends the response with `body` (already in memory), compressed when the browser takes it and it is worth it; its
 * headers (status, type, cache rules) must be set. HEAD gets the headers only, as before.
 */
export async function endWithWholeBody(req: ExpressRequest, res: ExpressResponse, body: Buffer): Promise<void> {
  const encoding = wholeBodyEncoding(req, res, body.length);
  if (res.getHeader("Content-Type") !== undefined && COMPRESSIBLE.test(String(res.getHeader("Content-Type")))) res.vary("Accept-Encoding");
  if (encoding === "identity") {
    res.setHeader("Content-Length", String(body.length));
    res.end(req.method === "HEAD" ? undefined : body);
    return;
  }
  let out: Buffer;
  try {
    out = await compress(body, encoding);
  } catch {
    // Never expected; the answer is still right uncompressed.
    res.setHeader("Content-Length", String(body.length));
    res.end(body);
    return;
  }
  res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", String(out.length));
  res.end(out);
}
