/**
 * The narrative sections of the complaint-handling reports, shared by the server model and the pages (browser-safe:
 * nothing here may come from a .server module, which the browser build replaces with an empty module).
 */
export const SECTIONS = ["problems", "obstacles", "solutions", "prevention"] as const;
export type Section = (typeof SECTIONS)[number];
export const SECTION_MAX = 10_000;

export const NARRATIVE_FIELDS = SECTIONS.flatMap((s) => [`${s}_th`, `${s}_en`] as const);
export type NarrativeField = (typeof NARRATIVE_FIELDS)[number];
export type Narrative = Record<NarrativeField, string>;

/** The text of one section in a language: English falls back to Thai (`fallback` tells the page to say so). */
export function sectionText(r: Pick<Narrative, NarrativeField>, s: Section, lang: "th" | "en"): { text: string; fallback: boolean } {
  const th = r[`${s}_th`];
  if (lang === "th") return { text: th, fallback: false };
  const en = r[`${s}_en`];
  return en.trim() ? { text: en, fallback: false } : { text: th, fallback: th.trim().length > 0 };
}
