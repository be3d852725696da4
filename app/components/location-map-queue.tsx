/**
 * The map of open cases on the staff queue: hidden until the officer opens it, then the cases with a position that
 * the officer may see (GET /staff/map/cases) as points linking to their case pages. The queue's table stays the list.
 */
import { useRef, useState } from "react";
import { useTranslation } from "~/components/i18n";
import type { MapHandle } from "~/components/location-map-leaflet.client";
import { loadMapConfig, loadMapEngine, mapCanOpenHere } from "~/enhance/map-loader";
import { useHydrated } from "~/components/use-hydrated";
import { appPath } from "~/lib/app-path";

interface StaffMapCase {
  reference: string;
  subject: string;
  category: string;
  status: string;
  lat: number;
  lng: number;
  meToo: number;
}

export function QueueMap() {
  const { t } = useTranslation("map");
  const ts = useTranslation("staff").t;
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<MapHandle | null>(null);
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState("");
  const hydrated = useHydrated();
  const show = async () => {
    if (handle.current || !box.current || !mapCanOpenHere()) return;
    setOpen(true);
    setStatus(t("loading"));
    try {
      const [engine, config, res] = await Promise.all([
        loadMapEngine(),
        loadMapConfig(),
        fetch(appPath("/staff/map/cases"), { headers: { Accept: "application/json" } }),
      ]);
      if (!res.ok) throw new Error(String(res.status));
      const data = (await res.json()) as { cases: StaffMapCase[]; more: boolean };
      if (!box.current || handle.current) return;
      handle.current = await engine.createMap(box.current, config, {
        label: t("queue.mapLabel"),
        pinLabel: t("pinLabel"),
        editable: false,
      });
      handle.current.setSpots(
        data.cases.map((c) => ({
          key: c.reference,
          lat: c.lat,
          lng: c.lng,
          href: `/staff/cases/${c.reference}`,
          label: `${c.reference} · ${c.subject} · ${ts(`status.${c.status}`)}${c.meToo > 0 ? ` · ${t("case.meTooCount", { count: c.meToo })}` : ""}`,
        })),
        { fit: true },
      );
      setStatus(t(data.more ? "queue.shownMore" : "queue.shown", { count: data.cases.length }));
    } catch {
      setStatus(t("failed"));
    }
  };
  if (!hydrated) return null;
  return (
    <section className="location-map queue-map no-print" aria-labelledby="queue-map-title">
      <h2 id="queue-map-title" className="visually-hidden">
        {t("queue.title")}
      </h2>
      {!open ? (
        <button type="button" className="button secondary" onClick={() => void show()} data-testid="queue-map-open">
          {t("queue.show")}
        </button>
      ) : null}
      <div ref={box} className="map-box map-box-wide" hidden={!open} data-testid="queue-map" />
      <p className="hint" role="status" aria-live="polite" data-testid="queue-map-status">
        {status}
      </p>
    </section>
  );
}
