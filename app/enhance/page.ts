/**
 * What every page without React (hydrate: false) that has a script of its own needs: the page's strings in its
 * language (the same files React pages use, fetched early by the <head> of root.tsx), focus on the error summary, and a
 * submit button that says the form is being sent (and cannot send it twice).
 */
import { fetchNamespaceStrings, localeBundleHref, Translator } from "~/lib/translate";
import type { Translate } from "~/enhance/dom";

/** The page's strings: a translation function per namespace the page's <meta name="i18n"> lists. */
export async function pageStrings(): Promise<(ns: string) => Translate> {
  const [lang = "th", version = "0", ...namespaces] = (document.querySelector('meta[name="i18n"]')?.getAttribute("content") ?? "").split(
    " ",
  );
  const translator = new Translator(lang, namespaces);
  await Promise.all(
    namespaces.map((ns) =>
      fetchNamespaceStrings(localeBundleHref(version, lang, ns)).then(
        (strings) => void translator.addResourceBundle(lang, ns, strings),
        () => undefined, // without a namespace the keys show; the page still works
      ),
    ),
  );
  return (ns) => {
    const t = translator.getFixedT(lang, ns) as unknown as (key: string, params?: Record<string, unknown>) => unknown;
    return (key, params) => String(t(key, params));
  };
}

/** Focus on the error summary of a refused form (as components/form.tsx does on React pages). */
export function focusErrorSummary() {
  document.querySelector<HTMLElement>(".error-summary")?.focus();
}

/** A form's submit button with data-submitting-label says so and is disabled while the form is sent. */
export function submitOnce() {
  for (const form of document.querySelectorAll("form")) {
    const submit = form.querySelector<HTMLButtonElement>("button[data-submitting-label]");
    if (!submit) continue;
    const label = submit.textContent ?? "";
    form.addEventListener("submit", () => {
      // After the browser has taken the submission (a disabled button would otherwise not submit a named value).
      setTimeout(() => {
        submit.disabled = true;
        submit.textContent = submit.dataset.submittingLabel ?? label;
      });
    });
    // Back to the page from the browser's history: the button works again.
    window.addEventListener("pageshow", () => {
      submit.disabled = false;
      submit.textContent = label;
    });
  }
}

/**
 * Runs the page's set-up once the document is parsed (module scripts run after parsing; this also covers a late
 * insert), then marks the document (`data-enhanced="yes"` on <html>: the page is ready, for tests and styles).
 */
export function whenReady(fn: () => void | Promise<void>) {
  const run = async () => {
    await fn();
    document.documentElement.dataset.enhanced = "yes";
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => void run(), { once: true });
  else void run();
}
