/**
 * The script of /report/new, a page sent without React: evidence files checked before upload, focus on the error
 * summary and a submit button that says it is sending. No map and nothing else: the corruption channel loads only
 * this. The page works without it.
 */
import { enhanceFileInput } from "~/enhance/file-input";
import { focusErrorSummary, pageStrings, submitOnce, whenReady } from "~/enhance/page";

whenReady(async () => {
  focusErrorSummary();
  submitOnce();
  const t = await pageStrings();
  for (const input of document.querySelectorAll<HTMLInputElement>("input[type=file][data-file-check]"))
    enhanceFileInput(input, t("common"));
});
