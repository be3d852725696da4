/**
 * "Use my location" next to the complaint form's coordinates: fills latitude/longitude from the phone's position
 * (the map, location-picker.ts, follows the fields). Shown only where JavaScript runs and the browser can locate; the
 * fields can always be typed. The element carries the ids of the fields in data-lat and data-lng.
 */
import { button, el, type Translate } from "~/enhance/dom";

/** Fills `root` with the button and its status line; `t` has the "complaint" namespace. */
export function mountLocateButton(root: HTMLElement, t: Translate): () => void {
  const lat = document.getElementById(root.dataset.lat ?? "") as HTMLInputElement | null;
  const lng = document.getElementById(root.dataset.lng ?? "") as HTMLInputElement | null;
  if (!lat || !lng || !("geolocation" in navigator)) return () => {};
  const message = el("p", { className: "hint", role: "status", attrs: { "aria-live": "polite" } });
  const locate = () => {
    message.textContent = t("locate.working");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        lat.dispatchEvent(new Event("input", { bubbles: true }));
        message.textContent = t("locate.done");
      },
      () => (message.textContent = t("locate.failed")),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  };
  root.replaceChildren(button(t("locate.button"), locate), message);
  return () => root.replaceChildren();
}
