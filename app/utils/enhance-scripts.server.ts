/**
 * The addresses of the scripts of pages sent without React (scripts/build-enhance.mjs writes them next to the server
 * build). Read once; a server started from sources without that build (tests of single modules) has none, and those
 * pages then work as they do without JavaScript.
 */
import fs from "node:fs";

export type EnhanceScript = "complaint-form" | "report-form" | "track";

let scripts: Partial<Record<EnhanceScript, string>> | null = null;

export function enhanceScripts(): Partial<Record<EnhanceScript, string>> {
  if (!scripts) {
    try {
      // The server build is <build>/build/index.js; the manifest is beside it.
      scripts = JSON.parse(fs.readFileSync(new URL("./enhance-manifest.json", import.meta.url), "utf8")) as Partial<
        Record<EnhanceScript, string>
      >;
    } catch {
      scripts = {};
    }
  }
  return scripts;
}
