/**
 * /metrics: the text format (HELP/TYPE lines, label escaping, histograms), route labels (patterns only; the
 * whole /report channel one label) and who may read it.
 */
import { describe, expect, it } from "vitest";
import { escapeLabelValue, family, Histogram, histogramFamily } from "~/lib/prometheus";
import { createRouteLabeler, routePatterns } from "~/lib/route-pattern";
import { parseTrustedProxies } from "~/utils/client-address.server";
import { metricsAllowed } from "../../scripts/metrics";
import { parsePrometheus } from "../helpers/prometheus";

describe("Prometheus text format", () => {
  it("escapes backslash, double quote and line feed in label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = family("x_total", "counter", "help with \\ and\nnewline", [{ labels: { route: 'we"ird\\\n' }, value: 3 }]);
    expect(text).toBe('# HELP x_total help with \\\\ and\\nnewline\n# TYPE x_total counter\nx_total{route="we\\"ird\\\\\\n"} 3\n');
    const parsed = parsePrometheus(text);
    expect(parsed.samples[0]).toEqual({ name: "x_total", labels: { route: 'we"ird\\\n' }, value: 3 });
  });

  it("writes cumulative histogram buckets with +Inf, _sum and _count", () => {
    const h = new Histogram([0.1, 1]);
    for (const v of [0.05, 0.5, 0.7, 3]) h.observe(v);
    const parsed = parsePrometheus(histogramFamily("d_seconds", "durations", [{ labels: { route: "/track" }, histogram: h }]));
    expect(parsed.type.get("d_seconds")).toBe("histogram");
    const buckets = parsed.samples.filter((s) => s.name === "d_seconds_bucket").map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ["0.1", 1],
      ["1", 3],
      ["+Inf", 4],
    ]);
    expect(parsed.samples.find((s) => s.name === "d_seconds_count")!.value).toBe(4);
    expect(parsed.samples.find((s) => s.name === "d_seconds_sum")!.value).toBeCloseTo(4.25);
  });
});

/** A Remix build's routes table, as the classic compiler writes it (flat routes). */
const ROUTES = {
  root: { id: "root", path: "" },
  "routes/_index": { id: "routes/_index", parentId: "root", index: true },
  "routes/healthz": { id: "routes/healthz", parentId: "root", path: "healthz" },
  "routes/track": { id: "routes/track", parentId: "root", path: "track" },
  "routes/report._index": { id: "routes/report._index", parentId: "root", path: "report", index: true },
  "routes/report.new": { id: "routes/report.new", parentId: "root", path: "report/new" },
  "routes/report.inbox": { id: "routes/report.inbox", parentId: "root", path: "report/inbox" },
  "routes/staff": { id: "routes/staff", parentId: "root", path: "staff" },
  "routes/staff._index": { id: "routes/staff._index", parentId: "routes/staff", index: true },
  "routes/staff.cases.$reference": { id: "routes/staff.cases.$reference", parentId: "routes/staff", path: "cases/:reference" },
  "routes/staff.cases.$reference.attachments.$id": {
    id: "routes/staff.cases.$reference.attachments.$id",
    parentId: "routes/staff",
    path: "cases/:reference/attachments/:id",
  },
  "routes/staff.intake": { id: "routes/staff.intake", parentId: "routes/staff", path: "intake" },
  "routes/stats.report.$fy.($period)": { id: "routes/stats.report.$fy.($period)", parentId: "root", path: "stats/report/:fy/:period?" },
  "routes/stats.data.$fy.$file": { id: "routes/stats.data.$fy.$file", parentId: "root", path: "stats/data/:fy/:file" },
};

describe("route labels", () => {
  const label = createRouteLabeler(ROUTES, ["/metrics"]);

  it("builds full patterns from the parent chain", () => {
    expect(routePatterns(ROUTES)).toEqual(expect.arrayContaining(["/", "/staff", "/staff/cases/:reference", "/stats/report/:fy/:period?"]));
  });

  it("labels requests by pattern, never by their concrete path", () => {
    expect(label("/")).toBe("/");
    expect(label("/track")).toBe("/track");
    expect(label("/track/")).toBe("/track");
    expect(label("/staff")).toBe("/staff");
    expect(label("/staff/intake")).toBe("/staff/intake");
    expect(label("/staff/cases/CMP-2569-000123")).toBe("/staff/cases/:reference");
    expect(label("/staff/cases/CMP-2569-000123/attachments/7")).toBe("/staff/cases/:reference/attachments/:id");
    expect(label("/stats/report/2569")).toBe("/stats/report/:fy/:period?");
    expect(label("/stats/report/2569/h1")).toBe("/stats/report/:fy/:period?");
    expect(label("/stats/data/2569/cases.csv")).toBe("/stats/data/:fy/:file");
    expect(label("/metrics")).toBe("/metrics");
    expect(label("/build/entry.client-ABC.js")).toBe("static");
    expect(label("/styles/app.css")).toBe("static");
    expect(label("/no/such/page")).toBe("unmatched");
    expect(label("/staff/cases")).toBe("unmatched");
  });

  it("puts the whole corruption channel under one label, however it is spelled", () => {
    for (const p of [
      "/report",
      "/report/",
      "/report/new",
      "/report/inbox",
      "/report/anything/deeper",
      "/REPORT/New",
      "/%72eport/inbox",
      "//report/new",
    ]) {
      expect(label(p), p).toBe("/report");
    }
    expect(label("/reports")).toBe("unmatched");
  });
});

describe("who may read /metrics", () => {
  const none = parseTrustedProxies("");
  const proxy = parseTrustedProxies("127.0.0.1");
  const TOKEN = "t".repeat(40);

  it("loopback, without forwarded headers", () => {
    for (const peer of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "127.8.9.1"]) {
      expect(metricsAllowed({ peer, headers: {}, trusted: none, token: undefined }), peer).toBe(true);
    }
  });

  it("not another machine, nor a local proxy that forwards the public (trusted or not)", () => {
    expect(metricsAllowed({ peer: "203.0.113.9", headers: {}, trusted: none, token: undefined })).toBe(false);
    expect(metricsAllowed({ peer: "10.0.0.5", headers: {}, trusted: parseTrustedProxies("10.0.0.0/8"), token: undefined })).toBe(false);
    expect(metricsAllowed({ peer: "127.0.0.1", headers: { "x-forwarded-for": "203.0.113.9" }, trusted: none, token: undefined })).toBe(
      false,
    );
    expect(metricsAllowed({ peer: "127.0.0.1", headers: { "x-real-ip": "203.0.113.9" }, trusted: none, token: undefined })).toBe(false);
    expect(metricsAllowed({ peer: "127.0.0.1", headers: { "x-forwarded-for": "203.0.113.9" }, trusted: proxy, token: undefined })).toBe(
      false,
    );
    expect(metricsAllowed({ peer: "127.0.0.1", headers: { forwarded: "for=203.0.113.9" }, trusted: proxy, token: undefined })).toBe(false);
    // Through the trusted local proxy for a local client: still this machine.
    expect(metricsAllowed({ peer: "127.0.0.1", headers: { "x-forwarded-for": "127.0.0.1" }, trusted: proxy, token: undefined })).toBe(true);
  });

  it("anyone with the bearer token (when one is configured), nobody with a wrong one", () => {
    const remote = { peer: "203.0.113.9", trusted: none };
    expect(metricsAllowed({ ...remote, headers: { authorization: `Bearer ${TOKEN}` }, token: TOKEN })).toBe(true);
    expect(metricsAllowed({ ...remote, headers: { authorization: `bearer  ${TOKEN} ` }, token: TOKEN })).toBe(true);
    expect(metricsAllowed({ ...remote, headers: { authorization: `Bearer ${TOKEN}x` }, token: TOKEN })).toBe(false);
    expect(metricsAllowed({ ...remote, headers: { authorization: TOKEN }, token: TOKEN })).toBe(false);
    expect(metricsAllowed({ ...remote, headers: { authorization: "Bearer " }, token: TOKEN })).toBe(false);
    expect(metricsAllowed({ ...remote, headers: { authorization: `Bearer ${TOKEN}` }, token: undefined })).toBe(false);
  });
});
