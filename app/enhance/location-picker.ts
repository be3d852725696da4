/**
 * The map of the complaint form (public and staff intake) and of the map settings: a button that opens a map to drop
 * or drag a pin, a "my location" button, a "pin at the centre of the map" button for keyboard users, and (public form)
 * the offer to use a photo's GPS position and the list of open complaints nearby, each with "me too".
 *
 * The map is light until it is opened: Leaflet and its stylesheet, the map settings and the tiles are fetched only when
 * the person presses the button (map-loader.ts). The pin writes the form's own latitude/longitude fields, which stay
 * on the page for keyboard and screen-reader users and without JavaScript (nothing here runs without it: หมู่ +
 * landmark + typed coordinates work as before). The fields are the truth: typed coordinates, the "my location" buttons
 * and the photo offer all move the pin.
 */
import { isPointInThailand, parseCoordinate, type NearbyCase } from "~/lib/map";
import type { MapHandle, MapPoint, MapSpot } from "~/components/location-map-leaflet.client";
import { button, el, fill, type Translate } from "~/enhance/dom";
import { loadMapConfig, loadMapEngine, mapCanOpenHere, mapRequestedInUrl } from "~/enhance/map-loader";
import { appPath } from "~/lib/app-path";

export interface LocationPickerOptions {
  /** public: with the photo offer and the nearby list; intake, settings: the pin only. */
  variant: "public" | "intake" | "settings";
  lat: HTMLInputElement;
  lng: HTMLInputElement;
  /** The settings page: the zoom field follows the map's zoom. */
  zoom?: HTMLInputElement | null;
  /** The form's file input (public form): photos with a GPS position are offered as the location. */
  photoInput?: HTMLInputElement | null;
  /** Where the photo offer appears (next to the file input; else with the map). */
  photoOfferSlot?: HTMLElement | null;
  /** Strings of the "map" namespace. */
  t: Translate;
  /** The page's CSRF token (the "me too" post). */
  csrf: () => string;
}

/** A change the map made itself (its listener on the fields ignores it). */
const FROM_MAP = "sujarit-map";

function readPoint(o: LocationPickerOptions): MapPoint | null {
  const lat = parseCoordinate(o.lat.value);
  const lng = parseCoordinate(o.lng.value);
  return lat !== null && lng !== null && isPointInThailand(lat, lng) ? { lat, lng } : null;
}

function writePoint(o: LocationPickerOptions, p: MapPoint | null) {
  for (const [field, v] of [
    [o.lat, p ? p.lat.toFixed(6) : ""],
    [o.lng, p ? p.lng.toFixed(6) : ""],
  ] as const) {
    field.value = v;
    field.dispatchEvent(new CustomEvent("input", { bubbles: true, detail: FROM_MAP }));
  }
}

const pinned = (t: Translate, p: MapPoint) => t("pinned", { lat: p.lat.toFixed(5), lon: p.lng.toFixed(5) });

/** Builds the picker inside `root`; returns a function that removes it (listeners, map). */
export function mountLocationPicker(root: HTMLElement, o: LocationPickerOptions): () => void {
  const { t } = o;
  const withNearby = o.variant === "public";
  let handle: MapHandle | null = null;
  let opening = false;
  let nearbySpots: MapSpot[] = [];
  let lookupSeq = 0;
  const cleanups: (() => void)[] = [];

  const status = el("p", { className: "hint", role: "status", testid: "map-status", attrs: { "aria-live": "polite" } });
  const setStatus = (s: string) => (status.textContent = s);
  const box = el("div", { className: "map-box closed", testid: "map", hidden: true });
  const openRow = el(
    "p",
    {},
    button(t("open"), () => void openMap(), { testid: "open-map", attrs: { "aria-describedby": "map-open-hint" } }),
    " ",
    el("span", { className: "hint", id: "map-open-hint", text: t("openHint") }),
  );
  const locate = button(t("locate.button"), () => myLocation());
  const centre = button(t("pinCentre"), () => pinAtCentre(), { testid: "pin-centre" });
  const tools = el(
    "p",
    { className: "button-row map-tools", hidden: true },
    locate,
    " ",
    centre,
    " ",
    button(t("clear"), () => clearPin()),
  );
  const help = el("p", { className: "hint", hidden: true, text: t(o.variant === "settings" ? "settingsHelp" : "help") });
  const nearby = el("section", { className: "nearby", testid: "nearby", hidden: true, attrs: { "aria-labelledby": "nearby-title" } });
  const photoArea = el("div");
  (o.photoOfferSlot ?? root).append(photoArea);
  root.append(openRow, box, tools, help, status, nearby);

  async function openMap() {
    if (handle || opening) return;
    if (!mapCanOpenHere()) return;
    opening = true;
    openRow.hidden = true;
    box.hidden = false;
    box.className = "map-box";
    tools.hidden = false;
    help.hidden = false;
    locate.disabled = false;
    centre.disabled = false;
    setStatus(t("loading"));
    try {
      const [engine, config] = await Promise.all([loadMapEngine(), loadMapConfig()]);
      if (!root.isConnected) return;
      const start = readPoint(o);
      const zoom = parseCoordinate(o.zoom?.value ?? "");
      handle = await engine.createMap(
        box,
        { ...config, ...(start ? { centre: start, zoom: o.variant === "settings" && zoom ? zoom : 17 } : {}) },
        {
          label: t("mapLabel"),
          pinLabel: t("pinLabel"),
          editable: true,
          onPin: (p) => {
            writePoint(o, p);
            setStatus(pinned(t, p));
          },
          onView: o.zoom
            ? (v) => {
                if (o.zoom) o.zoom.value = String(v.zoom);
              }
            : undefined,
        },
      );
      if (start) handle.setPin(start);
      handle.setSpots(nearbySpots);
      setStatus(t("opened"));
    } catch {
      locate.disabled = true;
      centre.disabled = true;
      setStatus(t("failed"));
    } finally {
      opening = false;
    }
  }

  function myLocation() {
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
        handle?.setPin(p, { zoom: 17 });
        writePoint(o, p);
        setStatus(t("locate.done"));
      },
      () => setStatus(t("locate.failed")),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  function pinAtCentre() {
    if (!handle) return;
    const v = handle.view();
    handle.setPin(v);
    writePoint(o, v);
    setStatus(pinned(t, v));
  }

  function clearPin() {
    handle?.clearPin();
    writePoint(o, null);
    setStatus(t("cleared"));
  }

  // ---- open complaints near the pin (public form) ----
  function showNearby(state: "loading" | "failed" | "done", cases: NearbyCase[] = [], errorKey = "") {
    nearby.hidden = false;
    nearby.setAttribute("aria-busy", String(state === "loading"));
    fill(
      nearby,
      el("h3", { id: "nearby-title", text: t("nearby.title") }),
      state === "loading" && el("p", { className: "hint", text: t("nearby.loading") }),
      state === "failed" && el("p", { className: "warning", text: t(errorKey) }),
      state === "done" && cases.length === 0 && el("p", { className: "hint", text: t("nearby.none") }),
      state === "done" && cases.length > 0 && el("p", { className: "hint", text: t("nearby.intro", { count: cases.length }) }),
      state === "done" && cases.length > 0 && el("ul", { className: "nearby-list" }, ...cases.map(nearbyItem)),
    );
  }

  function nearbyItem(c: NearbyCase): HTMLLIElement {
    const headingId = `nearby-${c.id}`;
    const counts = (n: number) =>
      t("nearby.received", { date: c.receivedOn }) + (n > 0 ? ` · ${t("nearby.meTooCount", { count: n })}` : "");
    const line = el("p", { className: "hint", text: counts(c.meToo) });
    const said = el("span", { role: "status", className: "hint" });
    const send = button(t("meToo.button"), () => void meToo(), { attrs: { "aria-describedby": headingId } });
    const item = el(
      "li",
      { className: "nearby-case", testid: "nearby-case", attrs: { "aria-labelledby": headingId } },
      el("p", { id: headingId }, el("strong", { text: c.category }), ` · ${t(`state.${c.state}`)}`),
      line,
      send,
      " ",
      said,
    );
    const refused = (key: string) => {
      send.disabled = false;
      said.className = "field-error";
      said.textContent = t(key);
    };
    async function meToo() {
      send.disabled = true;
      said.className = "hint";
      said.textContent = t("meToo.sending");
      try {
        const body = new URLSearchParams({ csrf: o.csrf(), website: "", case: c.id });
        const res = await fetch(appPath("/complaints/me-too"), { method: "POST", body, headers: { Accept: "application/json" } });
        const data = (await res.json().catch(() => null)) as { count?: number; formError?: string | null } | null;
        if (!res.ok || typeof data?.count !== "number") return refused(data?.formError ?? "map:meToo.failed");
        line.textContent = counts(data.count);
        send.remove();
        said.replaceWith(
          el("p", { className: "success", role: "status", testid: "me-too-done", text: t("meToo.done", { count: data.count }) }),
        );
      } catch {
        refused("map:meToo.failed");
      }
    }
    return item;
  }

  async function lookUpNearby(p: MapPoint | null) {
    if (!withNearby) return;
    const seq = ++lookupSeq;
    if (!p) {
      nearby.hidden = true;
      nearbySpots = [];
      handle?.setSpots([]);
      return;
    }
    showNearby("loading");
    try {
      const res = await fetch(appPath(`/complaints/nearby?lat=${p.lat.toFixed(6)}&lng=${p.lng.toFixed(6)}`), {
        headers: { Accept: "application/json" },
      });
      if (seq !== lookupSeq) return;
      if (!res.ok) return showNearby("failed", [], res.status === 429 ? "nearby.rateLimited" : "nearby.failed");
      const body = (await res.json()) as { cases: NearbyCase[] };
      if (seq !== lookupSeq) return;
      showNearby("done", body.cases);
      nearbySpots = body.cases.map((c) => ({ key: c.id, lat: c.lat, lng: c.lng, label: `${c.category} · ${t(`state.${c.state}`)}` }));
      handle?.setSpots(nearbySpots);
    } catch {
      if (seq === lookupSeq) showNearby("failed", [], "nearby.failed");
    }
  }

  // ---- the fields move the pin ----
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = (e: Event) => {
    const fromMap = e instanceof CustomEvent && e.detail === FROM_MAP;
    clearTimeout(timer);
    timer = setTimeout(
      () => {
        const p = readPoint(o);
        if (p && !fromMap) handle?.setPin(p, { pan: true });
        if (!p && !fromMap) handle?.clearPin();
        void lookUpNearby(p);
      },
      fromMap ? 50 : 600,
    );
  };
  for (const f of [o.lat, o.lng]) {
    f.addEventListener("input", changed);
    f.addEventListener("change", changed);
    cleanups.push(() => {
      f.removeEventListener("input", changed);
      f.removeEventListener("change", changed);
    });
  }

  // ---- a photo with a GPS position is offered as the location ----
  // Read in the browser before the upload (the server removes the metadata from the stored copy); nothing is set
  // unless the citizen agrees.
  const photo = o.variant === "public" ? o.photoInput : null;
  if (photo) {
    const offer = (p: MapPoint) => {
      const accept = () => {
        handle?.setPin(p, { zoom: 17 });
        writePoint(o, p);
        fill(
          photoArea,
          el("p", {
            className: "success",
            role: "status",
            testid: "photo-status",
            text: t("photo.used", { lat: p.lat.toFixed(5), lon: p.lng.toFixed(5) }),
          }),
        );
        setStatus(pinned(t, p));
      };
      fill(
        photoArea,
        el(
          "div",
          { className: "photo-offer notice", role: "group", testid: "photo-offer", attrs: { "aria-labelledby": "photo-offer-title" } },
          el("p", { id: "photo-offer-title", text: t("photo.offer") }),
          el("p", { className: "hint", text: t("photo.offerHint") }),
          el(
            "p",
            { className: "button-row" },
            button(t("photo.use"), accept, { secondary: false }),
            " ",
            button(t("photo.ignore"), () => fill(photoArea)),
          ),
        ),
      );
    };
    const picked = async () => {
      const files = [...(photo.files ?? [])].filter(
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
            offer({ lat: g.latitude, lng: g.longitude });
            return;
          }
        }
      } catch {
        /* no offer when the reader cannot load */
      }
    };
    const onChange = () => void picked();
    photo.addEventListener("change", onChange);
    cleanups.push(() => photo.removeEventListener("change", onChange));
  }

  if (mapRequestedInUrl()) void openMap();

  return () => {
    clearTimeout(timer);
    for (const c of cleanups) c();
    handle?.destroy();
    handle = null;
    photoArea.remove();
    root.replaceChildren();
  };
}

/**
 * Mounts the picker described by its element's data attributes (rendered by components/location-map.tsx):
 * data-location-picker (variant) and the ids of the fields in data-lat, data-lng, data-zoom, data-photo-input and
 * data-photo-slot.
 */
export function mountLocationPickerFrom(root: HTMLElement, t: Translate, csrf: () => string): () => void {
  const byId = <T extends HTMLElement>(id: string | undefined) => (id ? (document.getElementById(id) as T | null) : null);
  const d = root.dataset;
  const lat = byId<HTMLInputElement>(d.lat);
  const lng = byId<HTMLInputElement>(d.lng);
  const variant = d.locationPicker;
  if (!lat || !lng || (variant !== "public" && variant !== "intake" && variant !== "settings")) return () => {};
  return mountLocationPicker(root, {
    variant,
    lat,
    lng,
    zoom: byId<HTMLInputElement>(d.zoom),
    photoInput: byId<HTMLInputElement>(d.photoInput),
    photoOfferSlot: byId(d.photoSlot),
    t,
    csrf,
  });
}
