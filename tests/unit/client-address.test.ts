/**
 * Client keys and trusted proxies: IPv6 grouped by /64, IPv4-mapped IPv6 as IPv4, TRUSTED_PROXIES parsing
 * (addresses and CIDRs, IPv4 and IPv6) and the walk of X-Forwarded-For from the right.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  clientFromRequest,
  initProxyWarning,
  PROXY_WARNING_FILE,
  clientKey,
  isTrusted,
  parseCidr,
  parseIp,
  parseTrustedProxies,
  proxyWarning,
  resetProxyWarning,
  resolveClientAddress,
} from "~/utils/client-address.server";
import { parseEnv } from "~/utils/env.server";

describe("clientKey: one key per IPv4 address, per IPv6 /64", () => {
  it("keeps IPv4 addresses as they are", () => {
    expect(clientKey("203.0.113.5")).toBe("203.0.113.5");
    expect(clientKey("203.0.113.5:51234")).toBe("203.0.113.5");
    expect(clientKey("203.0.113.6")).not.toBe(clientKey("203.0.113.5"));
  });

  it("groups every address of one IPv6 /64 under one key, and keeps other /64s apart", () => {
    const a = clientKey("2001:db8:1:2::1");
    expect(a).toBe("2001:db8:1:2::/64");
    for (const other of [
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0db8:0001:0002:abcd::9",
      "[2001:db8:1:2::77]:443",
      "2001:DB8:1:2::1%eth0",
      "2001:db8:1:2:0:0:0:0",
    ]) {
      expect(clientKey(other), other).toBe(a);
    }
    expect(clientKey("2001:db8:1:3::1")).not.toBe(a);
    expect(clientKey("2001:db8:2:2::1")).not.toBe(a);
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("reads IPv4-mapped IPv6 as the IPv4 address (dotted and hex forms)", () => {
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::ffff:c633:6407")).toBe("198.51.100.7");
    expect(clientKey("0:0:0:0:0:ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("::ffff:127.0.0.1")).toBe(clientKey("127.0.0.1"));
  });

  it("is idempotent and gives one key to anything that is not an address", () => {
    for (const x of ["203.0.113.5", "2001:db8:1:2::1", "::ffff:198.51.100.7", "garbage"])
      expect(clientKey(clientKey(x))).toBe(clientKey(x));
    expect(clientKey(undefined)).toBe("unknown");
    expect(clientKey("")).toBe("unknown");
    expect(clientKey("999.1.1.1")).toBe("unknown");
    expect(clientKey("2001:db8::1::2")).toBe("unknown");
    expect(clientKey("not-an-ip")).toBe("unknown");
  });

  it("parseIp tells IPv4 from IPv6", () => {
    expect(parseIp("10.1.2.3")?.v).toBe(4);
    expect(parseIp("fe80::1")?.v).toBe(6);
    expect(parseIp("::ffff:10.1.2.3")?.v).toBe(4);
    expect(parseIp("1.2.3")).toBeNull();
  });
});

describe("TRUSTED_PROXIES", () => {
  it("parses addresses and CIDRs, IPv4 and IPv6, with spaces; empty means none", () => {
    const list = parseTrustedProxies(" 127.0.0.1, 10.0.0.0/8 ,2001:db8::/32, ::1, 192.168.1.0/24");
    expect(list).toHaveLength(5);
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(parseTrustedProxies("")).toEqual([]);
    expect(parseTrustedProxies(" , ")).toEqual([]);
    expect(parseCidr("10.0.0.0/8")).toMatchObject({ v: 4, prefix: 8 });
    expect(parseCidr("2001:db8::/32")).toMatchObject({ v: 6, prefix: 32 });
    expect(parseCidr("::ffff:10.0.0.0/104")).toMatchObject({ v: 4, prefix: 8 });
    expect(parseCidr("127.0.0.1")).toMatchObject({ v: 4, prefix: 32 });
  });

  it.each(["10.0.0.0/33", "2001:db8::/129", "proxy.local", "10.0.0.0/", "10.0.0.0/8/8", "300.1.1.1", "10.0.0.0/-1"])(
    "refuses %s",
    (bad) => {
      expect(() => parseTrustedProxies(`127.0.0.1, ${bad}`)).toThrow(/not an IP address or CIDR/);
    },
  );

  it("matches addresses against CIDRs of the same family (IPv4-mapped peers match IPv4 entries)", () => {
    const list = parseTrustedProxies("10.0.0.0/8, 172.16.0.0/12, 2001:db8:aa::/48, 127.0.0.2");
    expect(isTrusted("10.200.3.4", list)).toBe(true);
    expect(isTrusted("11.0.0.1", list)).toBe(false);
    expect(isTrusted("172.31.255.255", list)).toBe(true);
    expect(isTrusted("172.32.0.0", list)).toBe(false);
    expect(isTrusted("2001:db8:aa:ffff::1", list)).toBe(true);
    expect(isTrusted("2001:db8:ab::1", list)).toBe(false);
    expect(isTrusted("::ffff:10.1.1.1", list)).toBe(true);
    expect(isTrusted("::ffff:127.0.0.2", list)).toBe(true);
    expect(isTrusted("127.0.0.1", list)).toBe(false);
    expect(isTrusted("::a00:1", list)).toBe(false); // an IPv6 address is not the IPv4 10.0.0.1
    expect(isTrusted(undefined, list)).toBe(false);
  });

  it("the environment refuses a bad TRUSTED_PROXIES, naming the variable; TRUST_PROXY_HOPS is gone", () => {
    expect(parseEnv({ TRUSTED_PROXIES: "10.0.0.0/8, 2001:db8::/32" }).TRUSTED_PROXIES).toBe("10.0.0.0/8, 2001:db8::/32");
    expect(parseEnv({}).TRUSTED_PROXIES).toBeUndefined();
    expect(() => parseEnv({ TRUSTED_PROXIES: "10.0.0.0/8, my-proxy" })).toThrow(/TRUSTED_PROXIES: "my-proxy" is not an IP address or CIDR/);
    expect("TRUST_PROXY_HOPS" in parseEnv({ TRUST_PROXY_HOPS: "1" })).toBe(false);
  });
});

describe("the client address behind proxies", () => {
  const trusted = parseTrustedProxies("10.0.0.0/8, 2001:db8:ff::/48");

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9");
    expect(resolveClientAddress("203.0.113.9", "198.51.100.1", [])).toBe("203.0.113.9");
    expect(resolveClientAddress("10.0.0.1", "198.51.100.1", [])).toBe("10.0.0.1");
  });

  it("walks the chain from the right, skipping trusted proxies; the first untrusted address is the client", () => {
    // client → 10.1.1.1 (proxy) → 10.0.0.1 (proxy, the peer)
    expect(resolveClientAddress("10.0.0.1", "198.51.100.1, 10.1.1.1", trusted)).toBe("198.51.100.1");
    // A forged entry on the left of the real client is never reached.
    expect(resolveClientAddress("10.0.0.1", "1.2.3.4, 198.51.100.1", trusted)).toBe("198.51.100.1");
    expect(resolveClientAddress("10.0.0.1", ["1.2.3.4", "198.51.100.1, 10.9.9.9"], trusted)).toBe("198.51.100.1");
    // Every hop trusted: the leftmost is the client.
    expect(resolveClientAddress("10.0.0.1", "10.2.2.2, 10.3.3.3", trusted)).toBe("10.2.2.2");
    // IPv6 proxies and clients, ports and brackets.
    expect(resolveClientAddress("2001:db8:ff:1::5", "[2001:db8:7:7::1]:5555", trusted)).toBe("[2001:db8:7:7::1]:5555");
    expect(resolveClientAddress("::ffff:10.0.0.1", "198.51.100.2:4444", trusted)).toBe("198.51.100.2:4444");
    // Garbage ends the walk at the last trusted hop (never a key an attacker chooses).
    expect(resolveClientAddress("10.0.0.1", "198.51.100.1, unknown", trusted)).toBe("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", "", trusted)).toBe("10.0.0.1");
  });

  it("clientFromRequest normalises the result and warns only when no proxy is configured", () => {
    resetProxyWarning();
    const headers = { "x-forwarded-for": "2001:db8:5:6::1, 10.4.4.4" };
    expect(clientFromRequest({ peer: "::ffff:10.0.0.1", headers, path: "/track" }, trusted)).toBe("2001:db8:5:6::/64");
    expect(proxyWarning().seen).toBe(false);
    expect(clientFromRequest({ peer: "::ffff:127.0.0.1", headers: {}, path: "/" }, [])).toBe("127.0.0.1");
    expect(proxyWarning().seen).toBe(false);
    expect(clientFromRequest({ peer: "::ffff:127.0.0.1", headers: { "x-forwarded-for": "198.51.100.1" }, path: "/report/inbox" }, [])).toBe(
      "127.0.0.1",
    );
    const w = proxyWarning();
    expect(w.seen).toBe(true);
    expect(w.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    resetProxyWarning();
    clientFromRequest({ peer: "127.0.0.1", headers: { forwarded: "for=198.51.100.1" }, path: "/" }, []);
    expect(proxyWarning().seen).toBe(true);
    resetProxyWarning();
  });
});

describe("the warning about forwarded headers without a trusted proxy", () => {
  it("is logged once and remembered in DATA_DIR — never at the moment of a /report request — and warned again at the next start", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-proxywarn-"));
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      resetProxyWarning();
      initProxyWarning({ dataDir: dir, trustedConfigured: false });
      const file = path.join(dir, PROXY_WARNING_FILE);
      const req = (p: string) => clientFromRequest({ peer: "127.0.0.1", headers: { "x-forwarded-for": "198.51.100.1" }, path: p }, []);
      req("/report/inbox");
      req("/report");
      expect(proxyWarning().seen).toBe(true);
      expect(writes.filter((w) => w.includes("TRUSTED_PROXIES is not set"))).toHaveLength(0);
      expect(fs.existsSync(file)).toBe(false);
      req("/");
      req("/track");
      expect(writes.filter((w) => w.includes("TRUSTED_PROXIES is not set"))).toHaveLength(1);
      const saved = JSON.parse(fs.readFileSync(file, "utf8"));
      expect(saved).toEqual({ forwardedHeadersWithoutTrustedProxy: true, since: proxyWarning().since });
      expect(fs.readFileSync(file, "utf8")).not.toContain("198.51.100.1");
      expect(writes.join("")).not.toContain("198.51.100.1");
      // The next start-up (no request yet) warns again and reports it.
      resetProxyWarning();
      initProxyWarning({ dataDir: dir, trustedConfigured: false });
      expect(proxyWarning()).toEqual({ seen: true, since: saved.since });
      expect(writes.filter((w) => w.includes("first seen by an earlier run"))).toHaveLength(1);
      // A start with TRUSTED_PROXIES set clears it.
      resetProxyWarning();
      initProxyWarning({ dataDir: dir, trustedConfigured: true });
      expect(proxyWarning()).toEqual({ seen: false, since: null });
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      spy.mockRestore();
      resetProxyWarning();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
