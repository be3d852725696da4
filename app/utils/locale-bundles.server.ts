/**
 * The strings the browser fetches: one language's namespace per file (app/routes/locales.$version.$lang.$file.tsx),
 * at a URL holding a hash of every string, so browsers keep them for a year and fetch them again only after a change.
 * English files carry the Thai strings English lacks, as i18next's fallback to Thai gives on the server, so the browser
 * renders exactly what the server did without loading Thai as well.
 */
import crypto from "node:crypto";
import zlib from "node:zlib";
import { LANGUAGES, NAMESPACES, resources, type Lang, type Namespace } from "~/i18n";

type Tree = { [key: string]: unknown };

function isTree(x: unknown): x is Tree {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** `over` laid over `under`, key by key (nested objects merged, everything else from `over` when it has it). */
export function overlay(under: Tree, over: Tree): Tree {
  const out: Tree = { ...under };
  for (const [k, v] of Object.entries(over)) out[k] = isTree(v) && isTree(out[k]) ? overlay(out[k] as Tree, v) : v;
  return out;
}

export interface LocaleBundle {
  json: string;
  /** The same, compressed with brotli at its best (once per file, when first asked for: the files are small). */
  readonly brotli: Uint8Array<ArrayBuffer>;
}

let built: { version: string; bundles: Map<string, LocaleBundle> } | null = null;

function compressed(json: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    zlib.brotliCompressSync(Buffer.from(json), {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT },
    }),
  );
}

/**
 * The strings of every language and namespace and their hash. Compressing them all here held up the first page after
 * a start by more than a second (brotli at its best, every file), so each file is compressed when first fetched.
 */
function build() {
  if (built) return built;
  const bundles = new Map<string, LocaleBundle>();
  const hash = crypto.createHash("sha256");
  for (const lang of LANGUAGES) {
    for (const ns of NAMESPACES) {
      const own = resources[lang][ns] as Tree;
      const strings = lang === "th" ? own : overlay(resources.th[ns] as Tree, own);
      const json = JSON.stringify(strings);
      hash.update(`${lang}/${ns}\0${json}\0`);
      let brotli: Uint8Array<ArrayBuffer> | undefined;
      bundles.set(`${lang}/${ns}`, {
        json,
        get brotli() {
          return (brotli ??= compressed(json));
        },
      });
    }
  }
  built = { version: hash.digest("hex").slice(0, 12), bundles };
  return built;
}

/** A hash of every string of every language (part of the files' URLs). */
export function localeVersion(): string {
  return build().version;
}

export function localeBundle(lang: Lang, ns: Namespace): LocaleBundle {
  return build().bundles.get(`${lang}/${ns}`)!;
}
