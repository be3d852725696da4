/**
 * Fixtures of the map tests: a JPEG carrying a GPS position in its EXIF (as a phone camera writes it), and a stand-in
 * tile server on loopback that answers every /{z}/{x}/{y}.png with a small PNG and records what was asked.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Degrees as EXIF rationals "d/1 m/1 s*100/100". */
function dms(deg: number): string {
  const a = Math.abs(deg);
  const d = Math.floor(a);
  const mFloat = (a - d) * 60;
  const m = Math.floor(mFloat);
  const s = Math.round((mFloat - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

/** A small JPEG whose EXIF says it was taken at lat/lng (and names a camera). */
export async function gpsJpeg(lat: number, lng: number, seed = 1): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (seed * 71) % 256, g: 120, b: 60 } } })
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: "SujaritTestCam", Model: "Map spec" },
      IFD3: {
        GPSLatitudeRef: lat >= 0 ? "N" : "S",
        GPSLatitude: dms(lat),
        GPSLongitudeRef: lng >= 0 ? "E" : "W",
        GPSLongitude: dms(lng),
      },
    })
    .toBuffer();
}

export interface TileServer {
  /** The MAP_TILE_URL template pointing here. */
  template: string;
  origin: string;
  /** Paths asked so far. */
  requests: string[];
  stop(): Promise<void>;
}

/** Starts the stand-in tile server on 127.0.0.1 (a free port). */
export async function startTileServer(): Promise<TileServer> {
  const { default: sharp } = await import("sharp");
  const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 222, g: 232, b: 214 } } })
    .png()
    .toBuffer();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    requests.push(path);
    if (/^\/\d{1,2}\/\d{1,7}\/\d{1,7}\.png$/.test(path)) {
      res.writeHead(200, { "Content-Type": "image/png", "Content-Length": png.length, "Cache-Control": "no-store" });
      res.end(png);
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not a tile");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    template: `${origin}/{z}/{x}/{y}.png`,
    origin,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
