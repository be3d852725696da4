/**
 * The map of the complaint form (public and staff intake) and of the map settings, as React renders it: an element
 * naming the fields the pin writes. app/enhance/location-picker.ts builds the map there — from this component on
 * React pages, from the page's own small script on pages without React (/complaints/new). Without JavaScript the
 * element stays empty: หมู่ + landmark + typed coordinates work as before.
 */
import { useEffect, useRef } from "react";
import { useTranslation } from "~/components/i18n";
import { useRootData } from "~/components/root-data";
import { mountLocationPickerFrom } from "~/enhance/location-picker";

export interface LocationPickerProps {
  /** public: with the photo offer and the nearby list; intake, settings: the pin only. */
  variant: "public" | "intake" | "settings";
  latId: string;
  lngId: string;
  /** The settings page: the zoom field follows the map's zoom. */
  zoomId?: string;
  /** id of the form's file input (public form): photos with a GPS position are offered as the location. */
  photoInputId?: string;
  /** id of an element next to the file input where the photo offer appears (else: with the map). */
  photoOfferSlotId?: string;
}

export function LocationPicker({ variant, latId, lngId, zoomId, photoInputId, photoOfferSlotId }: LocationPickerProps) {
  const { t } = useTranslation("map");
  const csrf = useRootData()?.csrf ?? "";
  const root = useRef<HTMLDivElement>(null);
  const csrfRef = useRef(csrf);
  csrfRef.current = csrf;
  useEffect(() => (root.current ? mountLocationPickerFrom(root.current, t, () => csrfRef.current) : undefined), [t]);
  return (
    <div
      ref={root}
      className="location-map"
      data-testid="location-map"
      data-location-picker={variant}
      data-lat={latId}
      data-lng={lngId}
      data-zoom={zoomId}
      data-photo-input={photoInputId}
      data-photo-slot={photoOfferSlotId}
    />
  );
}
