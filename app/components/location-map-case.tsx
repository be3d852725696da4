/**
 * The officer's view of where a case is: how many citizens said "me too" (ฉันก็พบปัญหานี้) from the nearby list of
 * the complaint form, and the pin on a map, opened on demand (Leaflet and the tiles load only when the officer asks).
 * Terms and values for the case page's facts list.
 */
import { useRef, useState } from "react";
import { useTranslation } from "~/components/i18n";
import type { MapHandle } from "~/components/location-map-leaflet.client";
import { loadMapConfig, loadMapEngine, mapCanOpenHere } from "~/enhance/map-loader";
import { useHydrated } from "~/components/use-hydrated";

export function CaseMapFacts({ latitude, longitude, meToo }: { latitude: number | null; longitude: number | null; meToo: number }) {
  const { t } = useTranslation("map");
  const hydrated = useHydrated();
  const hasPin = latitude !== null && longitude !== null;
  if (!hasPin && meToo === 0) return null;
  return (
    <>
      <dt>{t("case.meToo")}</dt>
      <dd data-testid="me-too-count">{t("case.meTooCount", { count: meToo })}</dd>
      {hasPin && hydrated ? (
        <>
          <dt>{t("case.map")}</dt>
          <dd>
            <CasePinMap lat={latitude} lng={longitude} />
          </dd>
        </>
      ) : null}
    </>
  );
}

function CasePinMap({ lat, lng }: { lat: number; lng: number }) {
  const { t } = useTranslation("map");
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<MapHandle | null>(null);
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState("");
  const show = async () => {
    if (handle.current || !box.current || !mapCanOpenHere()) return;
    setOpen(true);
    setStatus(t("loading"));
    try {
      const [engine, config] = await Promise.all([loadMapEngine(), loadMapConfig()]);
      if (!box.current || handle.current) return;
      handle.current = await engine.createMap(
        box.current,
        { ...config, centre: { lat, lng }, zoom: 17 },
        { label: t("case.mapLabel"), pinLabel: t("case.pinLabel"), editable: false },
      );
      handle.current.setPin({ lat, lng });
      setStatus("");
    } catch {
      setStatus(t("failed"));
    }
  };
  return (
    <div className="location-map case-map no-print">
      {!open ? (
        <button type="button" className="button secondary" onClick={() => void show()} data-testid="case-map-open">
          {t("case.show")}
        </button>
      ) : null}
      <div ref={box} className="map-box" hidden={!open} data-testid="case-map" />
      <p className="hint" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
