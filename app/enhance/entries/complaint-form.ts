/**
 * The script of /complaints/new, a page sent without React: file checks before upload, "use my location", the map
 * with the photo-location offer and the nearby complaints, focus on the error summary and a submit button that says
 * it is sending. The page works without it.
 */
import { enhanceFileInput } from "~/enhance/file-input";
import { mountLocateButton } from "~/enhance/locate-button";
import { mountLocationPickerFrom } from "~/enhance/location-picker";
import { focusErrorSummary, pageStrings, submitOnce, whenReady } from "~/enhance/page";

whenReady(async () => {
  focusErrorSummary();
  submitOnce();
  const t = await pageStrings();
  const csrf = () => document.querySelector<HTMLInputElement>('input[name="csrf"]')?.value ?? "";
  for (const input of document.querySelectorAll<HTMLInputElement>("input[type=file][data-file-check]"))
    enhanceFileInput(input, t("common"));
  for (const root of document.querySelectorAll<HTMLElement>("[data-locate]")) mountLocateButton(root, t("complaint"));
  for (const root of document.querySelectorAll<HTMLElement>("[data-location-picker]")) mountLocationPickerFrom(root, t("map"), csrf);
});
