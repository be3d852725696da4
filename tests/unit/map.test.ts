/** The map's pure rules: which pages may load tiles, tile URL templates and their CSP source, the nearby geometry. */
import { describe, expect, it } from "vitest";
import {
  MAP_BOUNDS,
  boundingBox,
  distanceM,
  isMapPage,
  isPointInThailand,
  isTileUrlTemplate,
  parseCoordinate,
  roundPublicPosition,
  tileCspSource,
} from "~/lib/map";
import { THAILAND_BOUNDS } from "~/lib/validation";
import { parseEnv } from "~/utils/env.server";

describe("pages with a map", () => {
  it("are the complaint form and the staff pages, never /report nor the integrity pages", () => {
    for (const p of [
      "/complaints/new",
      "/complaints/new/",
      "/staff",
      "/staff/",
      "/staff/intake",
      "/staff/cases/2569-000001",
      "/staff/admin/map",
    ]) {
      expect(isMapPage(p), p).toBe(true);
    }
    for (const p of [
      "/",
      "/report",
      "/report/new",
      "/report/inbox",
      "/reporting",
      "/track",
      "/complaints/done",
      "/staff/integrity",
      "/staff/integrity/reports/x",
      "/stats",
    ]) {
      expect(isMapPage(p), p).toBe(false);
    }
  });
});

describe("tile URL templates", () => {
  it("need http(s) and {z}, {x}, {y}", () => {
    expect(isTileUrlTemplate("https://tile.openstreetmap.org/{z}/{x}/{y}.png")).toBe(true);
    expect(isTileUrlTemplate("https://{s}.tile.example.org/{z}/{x}/{y}{r}.png")).toBe(true);
    expect(isTileUrlTemplate("http://127.0.0.1:8123/{z}/{x}/{y}.png")).toBe(true);
    for (const bad of [
      "https://tile.example.org/{z}/{x}.png",
      "javascript:{z}{x}{y}",
      "ftp://h/{z}/{x}/{y}",
      "https://u:p@h/{z}/{x}/{y}",
      "https://h/{z}/{x}/{y}/{evil}",
    ]) {
      expect(isTileUrlTemplate(bad), bad).toBe(false);
    }
  });

  it("give the CSP source of their host", () => {
    expect(tileCspSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png")).toBe("https://tile.openstreetmap.org");
    expect(tileCspSource("https://{s}.Tile.Example.org/{z}/{x}/{y}.png")).toBe("https://*.tile.example.org");
    expect(tileCspSource("http://127.0.0.1:8123/{z}/{x}/{y}.png")).toBe("http://127.0.0.1:8123");
    expect(tileCspSource("https://a{s}b.example.org/{z}/{x}/{y}.png")).toBeNull();
    expect(tileCspSource("not a url")).toBeNull();
  });

  it("are read from MAP_TILE_URL with OpenStreetMap and its attribution by default", () => {
    const env = parseEnv({});
    expect(env.MAP_TILE_URL).toBe("https://tile.openstreetmap.org/{z}/{x}/{y}.png");
    expect(env.MAP_TILE_ATTRIBUTION).toBe("© OpenStreetMap contributors");
    expect(env.MAP_TILE_ATTRIBUTION_URL).toBe("https://www.openstreetmap.org/copyright");
    expect(() => parseEnv({ MAP_TILE_URL: "https://tiles.example/{z}.png" })).toThrow(/MAP_TILE_URL/);
    expect(() => parseEnv({ MAP_TILE_ATTRIBUTION: "<b>x</b>" })).toThrow(/MAP_TILE_ATTRIBUTION/);
  });
});

describe("nearby geometry", () => {
  it("rounds public positions to three decimals (about 100 m)", () => {
    expect(roundPublicPosition(14.763512)).toBe(14.764);
    expect(roundPublicPosition(100.190434)).toBe(100.19);
    expect(
      distanceM({ lat: 14.7635, lng: 100.1905 }, { lat: roundPublicPosition(14.7635), lng: roundPublicPosition(100.1905) }),
    ).toBeLessThan(80);
  });

  it("measures distances and boxes that hold the whole circle", () => {
    expect(Math.round(distanceM({ lat: 14, lng: 100 }, { lat: 14.001, lng: 100 }))).toBe(111);
    const box = boundingBox(14.76, 100.19, 300);
    for (const [dLat, dLng] of [
      [0.0027, 0],
      [0, 0.0027],
      [-0.0027, 0],
      [0, -0.0027],
    ]) {
      const p = { lat: 14.76 + dLat, lng: 100.19 + dLng };
      if (distanceM({ lat: 14.76, lng: 100.19 }, p) <= 300) {
        expect(p.lat >= box.minLat && p.lat <= box.maxLat && p.lng >= box.minLng && p.lng <= box.maxLng).toBe(true);
      }
    }
  });

  it("accepts the complaint form's box of Thailand only", () => {
    expect(MAP_BOUNDS).toEqual(THAILAND_BOUNDS);
    expect(isPointInThailand(14.76, 100.19)).toBe(true);
    expect(isPointInThailand(51.5, -0.12)).toBe(false);
    expect(isPointInThailand(Number.NaN, 100)).toBe(false);
    expect(parseCoordinate(" 14.5 ")).toBe(14.5);
    expect(parseCoordinate("14,5")).toBeNull();
    expect(parseCoordinate("1e3")).toBeNull();
  });
});
