/**
 * Network anonymity for reporters: with ONION_URL set, /report pages send `Onion-Location` (the same page at
 * the onion address; not to visitors already on it, not on other pages) and /report shows the address with a note on
 * Tor Browser, in Thai and English; without it, no header and the note still explains Tor Browser. A malformed
 * ONION_URL stops the server with the variable named.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { parseEnv } from "~/utils/env.server";
import { HttpClient } from "../helpers/http";

const ONION = `http://${"sujaritwangluek2567abcdefghijklmnopqrstuvwxyz234567abcde"}.onion`; // 56 base32 characters: a v3 address

let withOnion: TestServer;
let without: TestServer;

beforeAll(async () => {
  [withOnion, without] = await Promise.all([startServer({ env: { ONION_URL: `${ONION}/` } }), startServer()]);
}, 120_000);

afterAll(async () => {
  await Promise.all([withOnion?.stop(), without?.stop()]);
});

/** GET with a chosen Host header (fetch does not let a test set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
  });
}

describe("ONION_URL", () => {
  it("adds Onion-Location to /report pages, pointing at the same page on the onion", async () => {
    const c = new HttpClient(withOnion.url);
    const index = await c.get("/report");
    expect(index.status).toBe(200);
    expect(index.headers.get("onion-location")).toBe(`${ONION}/report`);
    const inbox = await c.get("/report/inbox?lang=en");
    expect(inbox.headers.get("onion-location")).toBe(`${ONION}/report/inbox?lang=en`);
    expect((await c.get("/report/new")).headers.get("onion-location")).toBe(`${ONION}/report/new`);
  });

  it("not on other pages, and not to visitors already on the onion", async () => {
    const c = new HttpClient(withOnion.url);
    for (const p of ["/", "/complaints/new", "/track", "/stats", "/reporting"]) {
      expect((await c.get(p)).headers.get("onion-location"), p).toBeNull();
    }
    const onOnion = await getWithHost(`${withOnion.url}/report`, new URL(ONION).host);
    expect(onOnion.status).toBe(200);
    expect(onOnion.headers["onion-location"]).toBeUndefined();
  });

  it("shows the address on /report with a plain-words note on Tor Browser (Thai and English)", async () => {
    const th = await new HttpClient(withOnion.url).get("/report");
    expect(th.$.testId("onion-url")).toBe(`${ONION}/report`);
    const note = th.$.testId("tor-note") ?? "";
    expect(note).toContain("Tor Browser");
    expect(note).toContain("torproject.org");
    expect(note).toMatch(/ผู้ให้บริการอินเทอร์เน็ต/);
    const en = await new HttpClient(withOnion.url, { headers: { Cookie: "lang=en" } }).get("/report?lang=en");
    expect(en.$.testId("tor-note") ?? "").toMatch(/onion address, which opens only in Tor Browser/);
  });

  it("unset: no header, and the note still tells how to use Tor Browser", async () => {
    const page = await new HttpClient(without.url).get("/report");
    expect(page.headers.get("onion-location")).toBeNull();
    expect(page.$.testId("onion-url")).toBeNull();
    expect(page.$.testId("tor-note") ?? "").toContain("Tor Browser");
  });

  it("a value that is not an onion address is refused, naming the variable", () => {
    expect(parseEnv({ ONION_URL: `${ONION}/` }).ONION_URL).toBe(ONION);
    expect(parseEnv({}).ONION_URL).toBeUndefined();
    for (const bad of [
      "https://portal.example.go.th",
      "http://short.onion",
      `${ONION}/?x=1`,
      `${ONION}#top`,
      "ftp://" + new URL(ONION).host,
      "http://user:pw@" + new URL(ONION).host,
    ]) {
      expect(() => parseEnv({ ONION_URL: bad }), bad).toThrow(/ONION_URL: must be an onion service address/);
    }
  });
});
