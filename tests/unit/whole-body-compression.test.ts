/**
 * scripts/whole-body-compression.ts behind the same middleware as the server (Express, then `compression`): which
 * answers are compressed, how, and that each arrives whole with its own Content-Length.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import express from "express";
import compression from "compression";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROTLI_PARAMS, COMPRESS_MIN_BYTES, endWithWholeBody } from "../../scripts/whole-body-compression";

const page = `<!DOCTYPE html><html><body>${"<p>สวัสดี ตำบลวังลึก</p>".repeat(200)}</body></html>`;
let server: http.Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(compression({ brotli: { params: BROTLI_PARAMS } }));
  app.get("/answer", (req, res) => {
    const type = String(req.query.type ?? "text/html; charset=utf-8");
    res.setHeader("Content-Type", type);
    if (req.query.cache) res.setHeader("Cache-Control", String(req.query.cache));
    if (req.query.encoded) res.setHeader("Content-Encoding", "br");
    const body = req.query.small ? Buffer.from("<p>small</p>") : Buffer.from(page, "utf8");
    void endWithWholeBody(req, res, req.query.encoded ? zlib.brotliCompressSync(body) : body);
  });
  app.head("/answer", (req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    void endWithWholeBody(req, res, Buffer.from(page, "utf8"));
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((r) => server.close(r)));

function ask(path: string, acceptEncoding: string, method = "GET") {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .request(`${base}${path}`, { method, headers: { "accept-encoding": acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject)
      .end();
  });
}

function decoded(r: { headers: http.IncomingHttpHeaders; body: Buffer }): string {
  const encoding = r.headers["content-encoding"];
  const bytes = encoding === "br" ? zlib.brotliDecompressSync(r.body) : encoding === "gzip" ? zlib.gunzipSync(r.body) : r.body;
  return bytes.toString("utf8");
}

describe("whole answers compressed in one go", () => {
  it("brotli for a browser that takes it, in one piece with its length, whatever order it lists encodings in", async () => {
    for (const accept of ["gzip, deflate, br, zstd", "br", "br;q=0.5, gzip;q=0.5"]) {
      const r = await ask("/answer", accept);
      expect(r.headers["content-encoding"], accept).toBe("br");
      expect(r.headers["transfer-encoding"]).toBeUndefined();
      expect(Number(r.headers["content-length"])).toBe(r.body.length);
      expect(r.headers["vary"]).toMatch(/accept-encoding/i);
      expect(decoded(r)).toBe(page);
      expect(r.body.length).toBeLessThan(Buffer.byteLength(page) / 5);
    }
  });

  it("gzip for one without brotli (or refusing it), nothing for one that takes neither (deflate only: the middleware's)", async () => {
    for (const accept of ["gzip, deflate", "gzip, br;q=0"]) {
      const r = await ask("/answer", accept);
      expect(r.headers["content-encoding"], accept).toBe("gzip");
      expect(Number(r.headers["content-length"])).toBe(r.body.length);
      expect(decoded(r)).toBe(page);
    }
    for (const accept of ["identity", ""]) {
      const r = await ask("/answer", accept);
      expect(r.headers["content-encoding"], accept).toBeUndefined();
      expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(page));
      expect(r.body.toString("utf8")).toBe(page);
    }
    const deflate = await ask("/answer", "deflate");
    expect(deflate.headers["content-encoding"]).toBe("deflate");
    expect(zlib.inflateSync(deflate.body).toString("utf8")).toBe(page);
  });

  it("leaves alone what is small, already encoded, not text or JSON, or marked no-transform", async () => {
    const small = await ask("/answer?small=1", "br");
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(small.body.length).toBeLessThan(COMPRESS_MIN_BYTES);
    expect(small.body.toString()).toBe("<p>small</p>");
    const encoded = await ask("/answer?encoded=1", "gzip, br");
    expect(encoded.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(encoded.body).toString("utf8")).toBe(page);
    const noTransform = await ask(`/answer?cache=${encodeURIComponent("no-store, no-transform")}`, "br");
    expect(noTransform.headers["content-encoding"]).toBeUndefined();
    expect(noTransform.body.toString("utf8")).toBe(page);
    const json = await ask(`/answer?type=${encodeURIComponent("application/json; charset=utf-8")}`, "br");
    expect(json.headers["content-encoding"]).toBe("br");
    // Another type goes on to the middleware, which decides as before.
    const csv = await ask(`/answer?type=${encodeURIComponent("text/csv; charset=utf-8")}`, "gzip");
    expect(decoded(csv)).toBe(page);
  });

  it("answers HEAD with the headers of the uncompressed answer and no body", async () => {
    const r = await ask("/answer", "br", "HEAD");
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(page));
    expect(r.body.length).toBe(0);
  });
});
