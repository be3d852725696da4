/**
 * The Leaflet part of the portal's maps, loaded only when someone opens a map (a dynamic import of this module: its
 * chunk, Leaflet's stylesheet and marker images are served by the portal; tiles come from MAP_TILE_URL). Nothing here
 * runs on the server or on a page where no map was opened.
 *
 * Leaflet writes popups, tooltips and the attribution as HTML: every text the portal puts there is a DOM node made
 * with textContent, or escaped, never raw HTML.
 */
import L from "leaflet";
import leafletCssUrl from "leaflet/dist/leaflet.css";
import markerIconUrl from "leaflet/dist/images/marker-icon.png";
import markerIcon2xUrl from "leaflet/dist/images/marker-icon-2x.png";
import markerShadowUrl from "leaflet/dist/images/marker-shadow.png";

export interface MapConfig {
  tileUrl: string;
  attribution: string;
  attributionUrl: string;
  centre: { lat: number; lng: number };
  zoom: number;
}

export interface MapPoint {
  lat: number;
  lng: number;
}

/** A point drawn on the map besides the pin (a nearby case, an open case on the officers' map). */
export interface MapSpot extends MapPoint {
  key: string;
  /** Short text for the tooltip and the marker's accessible name. */
  label: string;
  /** Where the spot leads (the officers' map: the case page). */
  href?: string;
}

export interface MapHandle {
  /** Puts (or moves) the pin; `pan`: brings it into view. */
  setPin(p: MapPoint, opts?: { pan?: boolean; zoom?: number }): void;
  clearPin(): void;
  /** The centre and zoom of the current view. */
  view(): MapPoint & { zoom: number };
  setView(p: MapPoint, zoom?: number): void;
  setSpots(spots: MapSpot[], opts?: { fit?: boolean }): void;
  destroy(): void;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let cssLoaded: Promise<void> | null = null;

/** Adds Leaflet's stylesheet (served by the portal) once, and waits until it applies. */
function ensureCss(): Promise<void> {
  if (cssLoaded) return cssLoaded;
  cssLoaded = new Promise<void>((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = leafletCssUrl;
    link.dataset.map = "leaflet";
    link.onload = () => resolve();
    // A stylesheet that fails to load leaves the map usable (only less tidy): go on.
    link.onerror = () => resolve();
    document.head.appendChild(link);
  });
  return cssLoaded;
}

const pinIcon = () =>
  L.icon({
    iconUrl: markerIconUrl,
    iconRetinaUrl: markerIcon2xUrl,
    shadowUrl: markerShadowUrl,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    popupAnchor: [1, -34],
    tooltipAnchor: [16, -28],
    shadowSize: [41, 41],
  });

export interface CreateMapOptions {
  /** The map's accessible name (how to use it with a mouse, a finger and the keyboard). */
  label: string;
  /** The pin's accessible name. */
  pinLabel: string;
  /** Clicking the map and dragging the pin move it (the complaint form, the settings); false: a fixed pin. */
  editable: boolean;
  /** Called when the person moved the pin (click or drag). */
  onPin?: (p: MapPoint) => void;
  /** Called after every change of the view (the settings page keeps the zoom). */
  onView?: (v: MapPoint & { zoom: number }) => void;
}

/** Creates a map in `el` (after Leaflet's stylesheet has loaded). */
export async function createMap(el: HTMLElement, config: MapConfig, opts: CreateMapOptions): Promise<MapHandle> {
  await ensureCss();
  const map = L.map(el, { attributionControl: false, zoomControl: true, keyboard: true, tapTolerance: 20 }).setView(
    [config.centre.lat, config.centre.lng],
    config.zoom,
  );
  L.control
    .attribution({ prefix: false })
    .addAttribution(
      `<a href="${escapeHtml(config.attributionUrl)}" target="_blank" rel="noopener noreferrer">${escapeHtml(config.attribution)}</a>`,
    )
    .addTo(map);
  L.tileLayer(config.tileUrl, { maxZoom: 19, minZoom: 5, referrerPolicy: "no-referrer" } as L.TileLayerOptions).addTo(map);
  // The box was hidden until a moment ago: measure it again once it is laid out.
  requestAnimationFrame(() => map.invalidateSize());
  const container = map.getContainer();
  container.setAttribute("aria-label", opts.label);
  container.setAttribute("role", "region");

  let pin: L.Marker | null = null;
  const spots = L.layerGroup().addTo(map);

  const placePin = (p: MapPoint) => {
    if (pin) pin.setLatLng([p.lat, p.lng]);
    else {
      pin = L.marker([p.lat, p.lng], {
        icon: pinIcon(),
        draggable: opts.editable,
        autoPan: true,
        keyboard: false,
        alt: opts.pinLabel,
        title: opts.pinLabel,
      }).addTo(map);
      pin.on("dragend", () => {
        const ll = pin!.getLatLng();
        opts.onPin?.({ lat: ll.lat, lng: ll.lng });
      });
    }
  };

  if (opts.editable) {
    map.on("click", (e: L.LeafletMouseEvent) => {
      placePin({ lat: e.latlng.lat, lng: e.latlng.lng });
      opts.onPin?.({ lat: e.latlng.lat, lng: e.latlng.lng });
    });
  }
  if (opts.onView) {
    map.on("moveend", () => {
      const c = map.getCenter();
      opts.onView!({ lat: c.lat, lng: c.lng, zoom: map.getZoom() });
    });
  }

  return {
    setPin(p, o = {}) {
      placePin(p);
      if (o.zoom !== undefined) map.setView([p.lat, p.lng], o.zoom);
      else if (o.pan) map.panTo([p.lat, p.lng]);
    },
    clearPin() {
      pin?.remove();
      pin = null;
    },
    view() {
      const c = map.getCenter();
      return { lat: c.lat, lng: c.lng, zoom: map.getZoom() };
    },
    setView(p, zoom) {
      map.setView([p.lat, p.lng], zoom ?? map.getZoom());
    },
    setSpots(list, o = {}) {
      spots.clearLayers();
      for (const s of list) {
        const marker = L.circleMarker([s.lat, s.lng], {
          radius: 9,
          color: "#7a2e00",
          weight: 2,
          fillColor: "#f59e0b",
          fillOpacity: 0.85,
        });
        const text = document.createElement("span");
        text.textContent = s.label;
        marker.bindTooltip(text);
        if (s.href) {
          const link = document.createElement("a");
          link.href = s.href;
          link.textContent = s.label;
          marker.bindPopup(link);
        }
        marker.addTo(spots);
      }
      if (o.fit && list.length > 0) {
        map.fitBounds(L.latLngBounds(list.map((s) => [s.lat, s.lng] as [number, number])).pad(0.15), { maxZoom: 16 });
      }
    },
    destroy() {
      map.remove();
    },
  };
}
