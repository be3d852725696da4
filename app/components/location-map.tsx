/**
 * The map of the complaint form (public and staff intake) and of the map settings: a button that opens a map to drop
 * or drag a pin, a "my location" button, a "pin at the centre of the map" button for keyboard users, and (public form)
 * the offer to use a photo's GPS position and the list of open complaints nearby.
 *
 * The map is light until it is opened: this module is small, Leaflet and its stylesheet (location-map-leaflet.client.tsx),
 * the map settings and the tiles are fetched only when the person presses the button. The pin writes the form's own
 * latitude/longitude fields, which stay on the page for keyboard and screen-reader users and without JavaScript (the
 * button does not appear without it: หมู่ + landmark + typed coordinates work as before).
 */
import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import { createPortal } from "react-dom";
import { useTranslation } from "~/components/i18n";
import { isMapPage, isPointInThailand, parseCoordinate } from "~/lib/map";
import type { MapConfig, MapHandle, MapPoint, MapSpot } from "~/components/location-map-leaflet.client";
import { NearbyList, type NearbyCaseView } from "~/components/location-map-nearby";

/** False during the server render and the first browser render: the map's buttons need JavaScript. */
export function useHydrated() {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/** Whether this document was served as a page with a map (its Content Security Policy allows the tile host). */
function documentAllowsTiles(): boolean {
  try {
    const nav = performance.getEntriesByType?.("navigation")[0] as PerformanceNavigationTiming | undefined;
    return isMapPage(new URL(nav?.name || window.location.href).pathname);
  } catch {
    return isMapPage(window.location.pathname);
  }
}

/** Opens the map of this page again after a full load (a page reached without reloading keeps the old page's policy). */
const OPEN_PARAM = "map";

export async function loadMapConfig(): Promise<MapConfig> {
  const res = await fetch("/map/settings", { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`map settings: ${res.status}`);
  return (await res.json()) as MapConfig;
}

/** Leaflet's part of the map (a chunk of its own). */
export function loadMapEngine() {
  return import("~/components/location-map-leaflet.client");
}

/**
 * The map opens here only when this document's policy allows the tiles; otherwise the page is loaded again (a page
 * reached from another one without reloading) and the map opens by itself. Returns false in that case.
 */
export function mapCanOpenHere(): boolean {
  if (documentAllowsTiles()) return true;
  const url = new URL(window.location.href);
  url.searchParams.set(OPEN_PARAM, "1");
  window.location.assign(url.toString());
  return false;
}

/** Whether the page was (re)loaded to open its map at once. */
export function mapRequestedInUrl(): boolean {
  return new URL(window.location.href).searchParams.get(OPEN_PARAM) === "1";
}

function readPoint(latRef: RefObject<HTMLInputElement>, lngRef: RefObject<HTMLInputElement>): MapPoint | null {
  const lat = parseCoordinate(latRef.current?.value);
  const lng = parseCoordinate(lngRef.current?.value);
  return lat !== null && lng !== null && isPointInThailand(lat, lng) ? { lat, lng } : null;
}

/** A change the map made itself (its listener on the fields ignores it). */
const FROM_MAP = "sujarit-map";

function writePoint(latRef: RefObject<HTMLInputElement>, lngRef: RefObject<HTMLInputElement>, p: MapPoint | null) {
  for (const [ref, v] of [
    [latRef, p ? p.lat.toFixed(6) : ""],
    [lngRef, p ? p.lng.toFixed(6) : ""],
  ] as const) {
    if (!ref.current) continue;
    ref.current.value = v;
    ref.current.dispatchEvent(new CustomEvent("input", { bubbles: true, detail: FROM_MAP }));
  }
}

export interface LocationPickerProps {
  /** public: with the photo offer and the nearby list; intake, settings: the pin only. */
  variant: "public" | "intake" | "settings";
  latRef: RefObject<HTMLInputElement>;
  lngRef: RefObject<HTMLInputElement>;
  /** The settings page: the zoom field follows the map's zoom. */
  zoomRef?: RefObject<HTMLInputElement>;
  /** id of the form's file input (public form): photos with a GPS position are offered as the location. */
  photoInputId?: string;
  /** id of an element next to the file input where the photo offer appears (else: with the map). */
  photoOfferSlotId?: string;
}

/** Shows `children` in the element with id `slotId` when there is one (a portal), else where it stands. */
function InSlot({ slotId, children }: { slotId?: string; children: ReactNode }) {
  const slot = slotId ? document.getElementById(slotId) : null;
  return slot ? createPortal(children, slot) : <>{children}</>;
}

type NearbyState = { kind: "idle" } | { kind: "loading" } | { kind: "done"; cases: NearbyCaseView[] } | { kind: "failed"; key: string };

export function LocationPicker({ variant, latRef, lngRef, zoomRef, photoInputId, photoOfferSlotId }: LocationPickerProps) {
  const { t } = useTranslation("map");
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState("");
  const [failed, setFailed] = useState(false);
  const [photoOffer, setPhotoOffer] = useState<MapPoint | null>(null);
  const [photoStatus, setPhotoStatus] = useState("");
  const [nearby, setNearby] = useState<NearbyState>({ kind: "idle" });
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<MapHandle | null>(null);
  const lookupSeq = useRef(0);
  /** The nearby cases drawn on the map (kept for a map opened after the lookup). */
  const nearbySpots = useRef<MapSpot[]>([]);
  const withNearby = variant === "public";

  const lookUpNearby = useCallback(
    async (p: MapPoint | null) => {
      if (!withNearby) return;
      const seq = ++lookupSeq.current;
      if (!p) {
        setNearby({ kind: "idle" });
        nearbySpots.current = [];
        handle.current?.setSpots([]);
        return;
      }
      setNearby({ kind: "loading" });
      try {
        const res = await fetch(`/complaints/nearby?lat=${p.lat.toFixed(6)}&lng=${p.lng.toFixed(6)}`, {
          headers: { Accept: "application/json" },
        });
        if (seq !== lookupSeq.current) return;
        if (!res.ok) {
          setNearby({ kind: "failed", key: res.status === 429 ? "nearby.rateLimited" : "nearby.failed" });
          return;
        }
        const body = (await res.json()) as { cases: NearbyCaseView[] };
        if (seq !== lookupSeq.current) return;
        setNearby({ kind: "done", cases: body.cases });
        nearbySpots.current = body.cases.map((c) => ({
          key: c.id,
          lat: c.lat,
          lng: c.lng,
          label: `${c.category} · ${t(`state.${c.state}`)}`,
        }));
        handle.current?.setSpots(nearbySpots.current);
      } catch {
        if (seq === lookupSeq.current) setNearby({ kind: "failed", key: "nearby.failed" });
      }
    },
    [withNearby, t],
  );

  // The fields are the truth: typed coordinates, the "my location" button and the photo offer all move the pin.
  useEffect(() => {
    const fields = [latRef.current, lngRef.current].filter((x): x is HTMLInputElement => x !== null);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const changed = (e: Event) => {
      const fromMap = e instanceof CustomEvent && e.detail === FROM_MAP;
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          const p = readPoint(latRef, lngRef);
          if (p && !fromMap) handle.current?.setPin(p, { pan: true });
          if (!p && !fromMap) handle.current?.clearPin();
          void lookUpNearby(p);
        },
        fromMap ? 50 : 600,
      );
    };
    for (const f of fields) {
      f.addEventListener("input", changed);
      f.addEventListener("change", changed);
    }
    return () => {
      clearTimeout(timer);
      for (const f of fields) {
        f.removeEventListener("input", changed);
        f.removeEventListener("change", changed);
      }
    };
  }, [latRef, lngRef, lookUpNearby]);

  // A photo with a GPS position: offered as the location (read in the browser before the upload; the server removes
  // the metadata from the stored copy). Nothing is set unless the citizen agrees.
  useEffect(() => {
    if (!photoInputId) return;
    const input = document.getElementById(photoInputId) as HTMLInputElement | null;
    if (!input) return;
    const picked = async () => {
      const files = [...(input.files ?? [])].filter(
        (f) => /^image\/(jpeg|heic|heif|tiff)$/i.test(f.type) || /\.(jpe?g|heic|heif)$/i.test(f.name),
      );
      if (files.length === 0) return;
      try {
        // exifr's smallest build (JPEG/TIFF/HEIC GPS), fetched only when a photo is chosen; it ships no typings of its own.
        // @ts-expect-error -- no declaration file for the build's path; the one function used is typed below.
        const exifr = (await import("exifr/dist/mini.esm.mjs")) as {
          gps: (f: ArrayBuffer) => Promise<{ latitude?: number; longitude?: number } | undefined>;
        };
        for (const f of files) {
          // An ArrayBuffer, not the File: given a Blob, exifr fetches a blob: URL, which the page's CSP refuses.
          const g = await exifr.gps(await f.arrayBuffer()).catch(() => undefined);
          if (g && typeof g.latitude === "number" && typeof g.longitude === "number" && isPointInThailand(g.latitude, g.longitude)) {
            setPhotoStatus("");
            setPhotoOffer({ lat: g.latitude, lng: g.longitude });
            return;
          }
        }
      } catch {
        /* no offer when the reader cannot load */
      }
    };
    const onChange = () => void picked();
    input.addEventListener("change", onChange);
    return () => input.removeEventListener("change", onChange);
  }, [photoInputId]);

  const openMap = useCallback(async () => {
    if (handle.current || !box.current) return;
    if (!mapCanOpenHere()) return;
    setOpen(true);
    setFailed(false);
    setStatus(t("loading"));
    try {
      const [engine, config] = await Promise.all([loadMapEngine(), loadMapConfig()]);
      if (!box.current || handle.current) return;
      const start = readPoint(latRef, lngRef);
      const zoom = parseCoordinate(zoomRef?.current?.value ?? "");
      handle.current = await engine.createMap(
        box.current,
        { ...config, ...(start ? { centre: start, zoom: variant === "settings" && zoom ? zoom : 17 } : {}) },
        {
          label: t("mapLabel"),
          pinLabel: t("pinLabel"),
          editable: true,
          onPin: (p) => {
            writePoint(latRef, lngRef, p);
            setStatus(t("pinned", { lat: p.lat.toFixed(5), lon: p.lng.toFixed(5) }));
          },
          onView: zoomRef
            ? (v) => {
                if (zoomRef.current) zoomRef.current.value = String(v.zoom);
              }
            : undefined,
        },
      );
      if (start) handle.current.setPin(start);
      handle.current.setSpots(nearbySpots.current);
      setStatus(t("opened"));
    } catch {
      setFailed(true);
      setStatus(t("failed"));
    }
  }, [latRef, lngRef, zoomRef, variant, t]);

  useEffect(() => {
    if (hydrated && mapRequestedInUrl() && documentAllowsTiles()) void openMap();
  }, [hydrated, openMap]);

  useEffect(
    () => () => {
      handle.current?.destroy();
      handle.current = null;
    },
    [],
  );

  const myLocation = () => {
    if (!("geolocation" in navigator)) {
      setStatus(t("locate.unavailable"));
      return;
    }
    setStatus(t("locate.working"));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const p = { lat: pos.coords.latitude, lng: pos.coords.longitude };
        if (!isPointInThailand(p.lat, p.lng)) {
          setStatus(t("locate.outside"));
          return;
        }
        handle.current?.setPin(p, { zoom: 17 });
        writePoint(latRef, lngRef, p);
        setStatus(t("locate.done"));
      },
      () => setStatus(t("locate.failed")),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  };

  const pinAtCentre = () => {
    if (!handle.current) return;
    const v = handle.current.view();
    handle.current.setPin(v);
    writePoint(latRef, lngRef, v);
    setStatus(t("pinned", { lat: v.lat.toFixed(5), lon: v.lng.toFixed(5) }));
  };

  const clearPin = () => {
    handle.current?.clearPin();
    writePoint(latRef, lngRef, null);
    setStatus(t("cleared"));
  };

  const acceptPhoto = () => {
    if (!photoOffer) return;
    handle.current?.setPin(photoOffer, { zoom: 17 });
    writePoint(latRef, lngRef, photoOffer);
    setPhotoOffer(null);
    setPhotoStatus(t("photo.used", { lat: photoOffer.lat.toFixed(5), lon: photoOffer.lng.toFixed(5) }));
    setStatus(t("pinned", { lat: photoOffer.lat.toFixed(5), lon: photoOffer.lng.toFixed(5) }));
  };

  if (!hydrated) return null;
  return (
    <div className="location-map" data-testid="location-map">
      {photoOffer ? (
        <InSlot slotId={photoOfferSlotId}>
          <div className="photo-offer notice" role="group" aria-labelledby="photo-offer-title" data-testid="photo-offer">
            <p id="photo-offer-title">{t("photo.offer")}</p>
            <p className="hint">{t("photo.offerHint")}</p>
            <p className="button-row">
              <button type="button" className="button" onClick={acceptPhoto}>
                {t("photo.use")}
              </button>{" "}
              <button type="button" className="button secondary" onClick={() => setPhotoOffer(null)}>
                {t("photo.ignore")}
              </button>
            </p>
          </div>
        </InSlot>
      ) : null}
      {photoStatus ? (
        <InSlot slotId={photoOfferSlotId}>
          <p className="success" role="status" data-testid="photo-status">
            {photoStatus}
          </p>
        </InSlot>
      ) : null}
      {!open ? (
        <p>
          <button
            type="button"
            className="button secondary"
            onClick={() => void openMap()}
            aria-describedby="map-open-hint"
            data-testid="open-map"
          >
            {t("open")}
          </button>
          <span className="hint" id="map-open-hint">
            {t("openHint")}
          </span>
        </p>
      ) : null}
      <div ref={box} className={open ? "map-box" : "map-box closed"} data-testid="map" hidden={!open} />
      {open ? (
        <p className="button-row map-tools">
          <button type="button" className="button secondary" onClick={myLocation} disabled={failed}>
            {t("locate.button")}
          </button>{" "}
          <button type="button" className="button secondary" onClick={pinAtCentre} disabled={failed} data-testid="pin-centre">
            {t("pinCentre")}
          </button>{" "}
          <button type="button" className="button secondary" onClick={clearPin}>
            {t("clear")}
          </button>
        </p>
      ) : null}
      {open ? <p className="hint">{t(variant === "settings" ? "settingsHelp" : "help")}</p> : null}
      <p className="hint" role="status" aria-live="polite" data-testid="map-status">
        {status}
      </p>
      {withNearby && nearby.kind !== "idle" ? (
        <NearbyList
          state={nearby.kind}
          cases={nearby.kind === "done" ? nearby.cases : []}
          errorKey={nearby.kind === "failed" ? nearby.key : null}
        />
      ) : null}
    </div>
  );
}
