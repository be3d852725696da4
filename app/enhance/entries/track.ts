/**
 * The script of /track, a page sent without React: the lookup form filled from the receipt's QR code (#ref=…), focus
 * on the error summary, a submit button that says it is sending. The page works without it.
 */
import { fieldId } from "~/lib/field-id";
import { fillTrackFormFromHash } from "~/enhance/track-hash";
import { focusErrorSummary, submitOnce, whenReady } from "~/enhance/page";

whenReady(() => {
  focusErrorSummary();
  submitOnce();
  const reference = document.getElementById(fieldId("reference")) as HTMLInputElement | null;
  const code = document.getElementById(fieldId("code")) as HTMLInputElement | null;
  fillTrackFormFromHash(reference, code, reference?.form?.querySelector("button[type=submit]") ?? null, reference?.maxLength ?? 64);
});
