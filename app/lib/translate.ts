/**
 * The browser's translator: what the portal's components ask of i18next, in a few lines instead of i18next's 50 KB
 * (the server keeps i18next; tests/unit/translate.test.ts checks that both give the same text for every string).
 * It holds one language, namespace by namespace as the browser fetches them (English files already carry the Thai
 * strings English lacks: app/utils/locale-bundles.server.ts). What it does, as i18next does with the portal's settings:
 * "ns:key" for another namespace; nested keys with "."; plurals with `count` (key_zero for 0, then key_one/key_other by
 * the language's plural rules, then the key itself); {{name}} and {{- name}} filled in unescaped (missing: left as they are);
 * `returnObjects` for lists; `defaultValue`; a missing key gives the key back. (Unlike i18next, an object asked for
 * with `returnObjects` in English also holds the Thai keys English lacks: the portal asks only for lists.)
 */
import type { TFunction } from "i18next";

/** Where the browser fetches one language's namespace; `version` is a hash of all strings (immutable URL). */
export function localeBundleHref(version: string, lang: string, ns: string): string {
  return `/locales/${version}/${lang}/${ns}.json`;
}

/**
 * One namespace's strings: the fetch the page's <head> started early (root.tsx, window.__strings), else a new one.
 * Rejects when the file cannot be had.
 */
export function fetchNamespaceStrings(href: string): Promise<Record<string, unknown>> {
  const fetchIt = () =>
    fetch(href).then((res) => {
      if (!res.ok) throw new Error(`${href}: ${res.status}`);
      return res.json() as Promise<Record<string, unknown>>;
    });
  const early = (window as unknown as { __strings?: Record<string, Promise<Record<string, unknown> | null>> }).__strings?.[href];
  return early ? early.then((strings) => strings ?? fetchIt()) : fetchIt();
}

type Tree = { [key: string]: unknown };
type Options = { count?: unknown; returnObjects?: boolean; defaultValue?: unknown; [name: string]: unknown };

export class Translator {
  readonly language: string;
  private readonly namespaces: readonly string[];
  private readonly store = new Map<string, Tree>();
  private readonly plurals: Intl.PluralRules;

  constructor(language: string, namespaces: readonly string[]) {
    this.language = language;
    this.namespaces = namespaces;
    this.plurals = new Intl.PluralRules(language);
  }

  hasResourceBundle(lng: string, ns: string): boolean {
    return lng === this.language && this.store.has(ns);
  }

  addResourceBundle(lng: string, ns: string, strings: Tree): this {
    if (lng === this.language) this.store.set(ns, strings);
    return this;
  }

  getFixedT(_lng: string, ns: string): TFunction {
    return ((key: unknown, options?: Options) => this.translate(ns, key, options)) as unknown as TFunction;
  }

  private lookup(ns: string, path: string): unknown {
    let node: unknown = this.store.get(ns);
    for (const part of path.split(".")) {
      if (typeof node !== "object" || node === null) return undefined;
      node = (node as Tree)[part];
    }
    return node;
  }

  translate(defaultNs: string, rawKey: unknown, options: Options = {}): unknown {
    if (typeof rawKey !== "string") return rawKey;
    let ns = defaultNs;
    let key = rawKey;
    const colon = rawKey.indexOf(":");
    if (colon > 0 && this.namespaces.includes(rawKey.slice(0, colon))) {
      ns = rawKey.slice(0, colon);
      key = rawKey.slice(colon + 1);
    }
    const candidates = [key];
    if (typeof options.count === "number") {
      candidates.unshift(`${key}_${this.plurals.select(options.count)}`);
      if (options.count === 0) candidates.unshift(`${key}_zero`);
    }
    let value: unknown;
    for (const k of candidates) {
      value = this.lookup(ns, k);
      if (value !== undefined) break;
    }
    if (value === undefined || value === null)
      return options.defaultValue !== undefined ? this.fill(String(options.defaultValue), options) : key;
    if (typeof value === "object") {
      if (options.returnObjects) return this.fillAll(value, options);
      return `key '${key} (${this.language})' returned an object instead of string.`;
    }
    return this.fill(String(value), options);
  }

  private fillAll(value: unknown, options: Options): unknown {
    if (typeof value === "string") return this.fill(value, options);
    if (Array.isArray(value)) return value.map((v) => this.fillAll(v, options));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.fillAll(v, options)]));
    }
    return value;
  }

  private fill(text: string, options: Options): string {
    if (!text.includes("{{")) return text;
    return text.replace(/\{\{(-?)\s*([^{}]+?)\s*\}\}/g, (match: string, _unescaped: string, name: string) => {
      let v: unknown = options;
      for (const part of name.split(".")) v = typeof v === "object" && v !== null ? (v as Tree)[part] : undefined;
      if (v === undefined && name === "lng") v = this.language; // as i18next, which passes its language along
      return v === undefined ? match : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
    });
  }
}
