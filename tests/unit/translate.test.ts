/**
 * The browser's translator (app/lib/translate.ts) gives exactly what i18next gives on the server, for every string of
 * every namespace in both languages — with and without `count`, with and without the {{values}} filled in, lists with
 * `returnObjects` — so a page hydrates to the text the server sent. Its strings are the files the browser fetches
 * (app/utils/locale-bundles.server.ts: English carries the Thai strings it lacks).
 */
import { describe, expect, it } from "vitest";
import { createI18n, LANGUAGES, NAMESPACES, resources } from "~/i18n";
import { Translator } from "~/lib/translate";
import { localeBundle } from "~/utils/locale-bundles.server";

type Tree = { [key: string]: unknown };

function leaves(tree: Tree, prefix = ""): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.push([path, v]);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) out.push(...leaves(v as Tree, path));
  }
  return out;
}

function browserTranslator(lang: (typeof LANGUAGES)[number]): Translator {
  const tr = new Translator(lang, NAMESPACES);
  for (const ns of NAMESPACES) tr.addResourceBundle(lang, ns, JSON.parse(localeBundle(lang, ns).json) as Tree);
  return tr;
}

describe("browser translator", () => {
  for (const lang of LANGUAGES) {
    it(`gives i18next's text for every ${lang} string`, () => {
      const server = createI18n(lang);
      const browser = browserTranslator(lang);
      let compared = 0;
      for (const ns of NAMESPACES) {
        const st = server.getFixedT(lang, ns) as unknown as (k: string, o?: object) => unknown;
        const bt = browser.getFixedT(lang, ns) as unknown as (k: string, o?: object) => unknown;
        const keys = new Map<string, unknown>();
        for (const l of LANGUAGES)
          for (const [k, v] of leaves(resources[l][ns] as Tree)) keys.set(k.replace(/_(zero|one|two|few|many|other)$/, ""), v);
        for (const [key, value] of keys) {
          // `lng` and `ns` are i18next options as well as names in a few strings: i18next would switch language.
          const names =
            typeof value === "string"
              ? [...value.matchAll(/\{\{-?\s*([\w.]+)/g)].map((m) => m[1]).filter((n) => n !== "lng" && n !== "ns")
              : [];
          const filled = Object.fromEntries(names.map((n) => [n, `«${n}»`]));
          const optionSets: object[] = [{}, filled, { ...filled, count: 0 }, { ...filled, count: 1 }, { ...filled, count: 7 }];
          // Lists (the only things the portal asks for with returnObjects; objects in English would also hold the Thai
          // keys English lacks, see translate.ts).
          if (Array.isArray(value)) optionSets.push({ returnObjects: true });
          for (const options of optionSets) {
            expect(bt(key, options), `${lang} ${ns}:${key} ${JSON.stringify(options)}`).toEqual(st(key, options));
            compared++;
          }
        }
        // Another namespace's key, a missing key, a default value.
        expect(bt("common:appName")).toEqual(st("common:appName"));
        expect(bt("no.such.key")).toEqual(st("no.such.key"));
        expect(bt("no.such.key", { defaultValue: "ค่าเริ่มต้น {{x}}", x: 1 })).toEqual(
          st("no.such.key", { defaultValue: "ค่าเริ่มต้น {{x}}", x: 1 }),
        );
      }
      expect(compared).toBeGreaterThan(1000);
    });
  }

  it("holds only the namespaces it was given, for its own language", () => {
    const tr = new Translator("th", NAMESPACES);
    expect(tr.hasResourceBundle("th", "complaint")).toBe(false);
    tr.addResourceBundle("th", "complaint", { a: "ก" });
    tr.addResourceBundle("en", "complaint", { a: "A" });
    expect(tr.hasResourceBundle("th", "complaint")).toBe(true);
    expect(tr.hasResourceBundle("en", "complaint")).toBe(false);
    expect((tr.getFixedT("th", "complaint") as unknown as (k: string) => string)("a")).toBe("ก");
  });
});
