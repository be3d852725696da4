/**
 * Finds which people (would-be recipients of a corruption report) appear to be named in what a reporter typed.
 *
 * Pure and dependency-free (runs in the browser too). Built to avoid false negatives: a person who appears to be
 * named is kept away from the report, so matching errs on the side of matching (a false positive only sends the
 * report to the alternate recipient).
 *
 * - Thai has no spaces between words, so Thai names are searched as substrings of the text with all spaces removed
 *   (which also makes the search indifferent to line breaks, zero-width characters and spaces typed inside a name).
 *   A Thai match is rejected only when it would cut a syllable: the text has a leading vowel (เ แ โ ใ ไ) just before
 *   a name that starts with a consonant, or a vowel/tone mark just after the name (คุณกร vs คุณกรุณา).
 * - Latin names are matched on word boundaries, case-insensitively.
 * - "Characters" in the length rules are code points other than spaces, tone marks and other non-vowel diacritics
 *   (่ ้ ๊ ๋ ็ ์ ํ ๎): เอ and บี have 2, ต้อม and แดง have 3, ต้น has 2.
 */

export interface NameCandidate {
  id: number;
  name: string;
  nicknames?: readonly string[];
}
export type MatchStrength = "full" | "surname" | "given" | "nickname";
export interface NameMatch {
  id: number;
  strength: MatchStrength;
  /** The candidate's name part that was found, normalised (e.g. "สมชาย ใจดี", "ใจดี", "ต้อม"). */
  matched: string;
}

/**
 * Words that are never a person's name: honorifics, academic and professional titles, military and police ranks,
 * and common positions. They are removed from the start (and positions from the end) of a candidate's name, they
 * are ignored as nicknames, and in the text a word made of titles and a short name counts as that name standing
 * alone ("ผอ.เอ", "ปลัดเอ").
 * Entries written with a dot, and Latin entries, are abbreviations: they are only removed as whole words (so นพ. is
 * not cut off นพดล, nor Dr off Drew). Thai entries without a dot are also removed when glued to the name (นายสมชาย).
 */
// prettier-ignore
export const NAME_TITLES: readonly string[] = [
  // Honorifics
  "นาย", "นาง", "นางสาว", "น.ส.", "นส.", "คุณ", "คุณหญิง", "ท่าน", "เด็กชาย", "เด็กหญิง", "ด.ช.", "ด.ญ.",
  // Academic and professional
  "ดร.", "ผศ.", "รศ.", "ศ.", "ผศ.ดร.", "รศ.ดร.", "ศ.ดร.", "ศาสตราจารย์", "รองศาสตราจารย์", "ผู้ช่วยศาสตราจารย์",
  "อาจารย์", "อ.", "นายแพทย์", "แพทย์หญิง", "นพ.", "พญ.", "ทพ.", "ทพญ.", "ภก.", "ภญ.",
  // Military ranks (including the acting rank ว่าที่)
  "ว่าที่", "ว่าที่ร้อยตรี", "ว่าที่ร้อยโท", "ว่าที่ร้อยเอก", "ว่าที่ ร.ต.", "ว่าที่ ร.ท.", "ว่าที่ ร.อ.",
  "ร.ต.", "ร.ท.", "ร.อ.", "พ.ต.", "พ.ท.", "พ.อ.", "พล.ต.", "พล.ท.", "พล.อ.",
  "ร้อยตรี", "ร้อยโท", "ร้อยเอก", "พันตรี", "พันโท", "พันเอก", "พลตรี", "พลโท", "พลเอก",
  "จ.ส.อ.", "จ.ส.ท.", "จ.ส.ต.", "ส.อ.", "ส.ท.", "ส.ต.", "พลฯ",
  "จ่าสิบเอก", "จ่าสิบโท", "จ่าสิบตรี", "สิบเอก", "สิบโท", "สิบตรี", "พลทหาร",
  // Police ranks
  "ด.ต.", "ส.ต.อ.", "ส.ต.ท.", "ส.ต.ต.", "จ.ส.ต.", "ร.ต.ต.", "ร.ต.ท.", "ร.ต.อ.", "พ.ต.ต.", "พ.ต.ท.", "พ.ต.อ.",
  "พล.ต.ต.", "พล.ต.ท.", "พล.ต.อ.", "ดาบตำรวจ", "ร้อยตำรวจตรี", "ร้อยตำรวจโท", "ร้อยตำรวจเอก",
  "พันตำรวจตรี", "พันตำรวจโท", "พันตำรวจเอก",
  // Latin (with or without a dot: punctuation is ignored)
  "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "Khun",
  // Positions
  "นายก", "รองนายก", "นายก อบต.", "ปลัด", "รองปลัด", "ผอ.", "ผู้อำนวยการ", "หัวหน้า", "หน.", "รองหัวหน้า",
  "เจ้าหน้าที่", "จนท.", "เจ้าพนักงาน", "พนักงาน", "นักวิชาการ", "ผู้ช่วย", "เลขานุการ", "ประธานสภา", "รองประธานสภา",
  "สมาชิกสภา", "ส.อบต.", "อบต.", "กำนัน", "ผู้ใหญ่บ้าน", "ผญบ.", "ครู",
];

/** Words that, directly before a short Thai nickname (or given name), mark it as a person: พี่ต้อม, น้องเอ. */
// prettier-ignore
export const NICKNAME_CUES: readonly string[] = [
  "พี่", "น้อง", "คุณ", "เจ๊", "เจ้", "เฮีย", "ป้า", "ลุง", "น้า", "อา", "ไอ้", "อี", "นาย", "นาง", "นางสาว",
  "ชื่อเล่น", "ชื่อ", "เรียก",
];

// ---------------------------------------------------------------------------------------------------------------
// Normalisation

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD\p{Cf}]/gu;
const LATIN_DIACRITICS = /[\u0300-\u036f]/g;
const THAI_UPPER_LOWER_VOWEL = "\u0E31\u0E34-\u0E3A";
const THAI_TONE = "\u0E48-\u0E4B";
const THAI_ALL_MARKS = "\u0E31\u0E34-\u0E3A\u0E47-\u0E4E";
const DOUBLE_SARA_E = /\u0E40\u0E40/g;
const DECOMPOSED_SARA_AM = new RegExp(`\u0E4D([${THAI_TONE}]?)\u0E32`, "g");
const TONE_BEFORE_VOWEL = new RegExp(`([${THAI_TONE}])([\u0E31\u0E34-\u0E37])`, "g");
const REPEATED_MARK = new RegExp(`([${THAI_ALL_MARKS}])\\1+`, "g");
// After lower-casing and removing accents, Latin letters are a-z plus a few (ß, ø, æ, …) in U+00DF..U+024F.
const SCRIPT_CHANGE = /([\u0E01-\u0E5B])(?=[a-z\u00DF-\u024F])|([a-z\u00DF-\u024F])(?=[\u0E01-\u0E5B])/g;
const NOT_NAME_CHAR = /[^\p{L}\p{M}\p{N}]+/gu;

/**
 * Normalisation used for comparison: zero-width characters and soft hyphens removed, NFKC, lower case, Latin accents
 * removed, Thai typing variants unified (ํา → ำ, เเ → แ, tone mark typed before an upper vowel put after it, a mark
 * typed twice kept once), a space put between Thai and Latin letters, anything that is not a letter, mark or digit
 * (punctuation, line breaks) turned into a space, spaces collapsed and trimmed.
 */
export function normalizeForNameMatch(s: string): string {
  return s
    .replace(INVISIBLE, "")
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(LATIN_DIACRITICS, "")
    .normalize("NFC") // NFKC turned ำ into ํา; the next line puts it back
    .replace(DECOMPOSED_SARA_AM, "$1\u0E33")
    .replace(DOUBLE_SARA_E, "\u0E41")
    .replace(TONE_BEFORE_VOWEL, "$2$1")
    .replace(REPEATED_MARK, "$1")
    .replace(SCRIPT_CHANGE, "$1$2 ")
    .replace(NOT_NAME_CHAR, " ")
    .trim();
}

const COUNTED_CHAR = new RegExp(`[\\p{L}\\p{N}${THAI_UPPER_LOWER_VOWEL}]`, "u");
const THAI_CHAR = /\p{Script=Thai}/u;
const LATIN_TERM = /^[\p{Script=Latin}\p{N} ]+$/u;
const HAS_LATIN = /\p{Script=Latin}/u;
const THAI_LEADING_VOWEL = /[\u0E40-\u0E44]/;
const THAI_CONSONANT_START = /^[\u0E01-\u0E2E]/;
const THAI_MARK = new RegExp(`[${THAI_ALL_MARKS}]`);
/** A Thai word can only start with a consonant or a leading vowel (not with ะ า ำ, a mark, ๆ or ฯ). */
const THAI_INVALID_START = /^[\u0E2F-\u0E3A\u0E45-\u0E4E]/;

/** Length for the length rules: code points except spaces, tone marks and other non-vowel diacritics. */
function nameLength(s: string): number {
  let n = 0;
  for (const ch of s) if (COUNTED_CHAR.test(ch)) n++;
  return n;
}

/** nameLength(s) >= min, without reading all of a long s. */
function hasNameLength(s: string, min: number): boolean {
  let n = 0;
  for (const ch of s) if (COUNTED_CHAR.test(ch) && ++n >= min) return true;
  return n >= min;
}

const compact = (s: string): string => s.replace(/ /g, "");
const isLatinTerm = (s: string): boolean => LATIN_TERM.test(s) && HAS_LATIN.test(s);

// ---------------------------------------------------------------------------------------------------------------
// Titles

interface Prefix {
  /** Normalised, without spaces. */
  text: string;
  /** Whether it may be removed when glued to the following word. */
  glue: boolean;
}

/** Prefixes grouped by their first character, longest first. */
type PrefixIndex = ReadonlyMap<string, readonly Prefix[]>;

function toPrefixes(words: readonly string[]): Prefix[] {
  const byText = new Map<string, Prefix>();
  for (const w of words) {
    const text = compact(normalizeForNameMatch(w));
    if (!text) continue;
    const glue = !w.includes(".") && THAI_CHAR.test(text) && nameLength(text) >= 2;
    const prev = byText.get(text);
    byText.set(text, { text, glue: glue || (prev?.glue ?? false) });
  }
  // Longest first, so that นางสาว wins over นาง and ร.ต.อ. over ร.ต.
  return [...byText.values()].sort((a, b) => b.text.length - a.text.length);
}

function indexPrefixes(prefixes: readonly Prefix[]): PrefixIndex {
  const index = new Map<string, Prefix[]>();
  for (const p of prefixes) {
    const list = index.get(p.text[0]) ?? [];
    list.push(p);
    index.set(p.text[0], list);
  }
  return index;
}

const TITLE_PREFIXES = toPrefixes(NAME_TITLES);
/** Titles and cues, for removing them in front of a word of the text. */
const TEXT_PREFIXES = toPrefixes([...NAME_TITLES, ...NICKNAME_CUES]);
const TITLE_INDEX = indexPrefixes(TITLE_PREFIXES);
const TEXT_INDEX = indexPrefixes(TEXT_PREFIXES);
const TITLE_TEXTS = new Set(TITLE_PREFIXES.map((p) => p.text));
const NON_NAMES = new Set(TEXT_PREFIXES.map((p) => p.text));
const LATIN_TITLES = TITLE_PREFIXES.filter((p) => isLatinTerm(p.text)).map((p) => p.text);
/**
 * Cues in their compact form; a cue may be followed by ว่า ("ชื่อเล่นว่าเอ"). Titles and positions are not cues when
 * glued to what follows (เจ้าหน้าที่กรอก…), only when they and the name make a whole word (see standaloneWords).
 */
const CUE_TEXTS = toPrefixes(NICKNAME_CUES).map((p) => p.text);
const CUE_LINK = "ว่า";

/** Removes one title from the start of the words, or returns null when there is none. */
function stripOnePrefix(words: readonly string[], index: PrefixIndex): string[] | null {
  if (words.length === 0 || !words[0]) return null;
  for (const p of index.get(words[0][0]) ?? []) {
    // The title as one or more whole words, however it was spaced: "น ส", "นส", "ว่าที่ร ต", "ว่าที่ ร ต".
    let acc = "";
    for (let k = 0; k < words.length; k++) {
      acc += words[k];
      if (acc === p.text) return words.slice(k + 1);
      if (!p.text.startsWith(acc)) break;
    }
    // The title glued to the name: "นายสมชาย", but not "คุณากร" (ากร cannot start a word) nor "นายกร" → "ร".
    const first = words[0];
    if (p.glue && first.length > p.text.length && first.startsWith(p.text)) {
      const rest = first.slice(p.text.length);
      if (!THAI_INVALID_START.test(rest) && hasNameLength(rest, 2)) return [rest, ...words.slice(1)];
    }
  }
  return null;
}

function stripLeadingPrefixes(words: readonly string[], index: PrefixIndex): string[] {
  let out = [...words];
  for (let guard = 0; guard < 16; guard++) {
    const next = stripOnePrefix(out, index);
    if (!next) break;
    out = next;
  }
  return out;
}

/** Removes positions written after the name: "สมชาย ใจดี ปลัด อบต". */
function stripTrailingTitles(words: readonly string[]): string[] {
  const out = [...words];
  outer: while (out.length > 1) {
    for (let k = Math.min(3, out.length - 1); k >= 1; k--) {
      if (TITLE_TEXTS.has(out.slice(out.length - k).join(""))) {
        out.length -= k;
        continue outer;
      }
    }
    break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Candidate names

const BRACKETED = /[([{（［｛]([^)\]}）］｝]*)[)\]}）］｝]/g;

interface ParsedName {
  given: string;
  surname: string;
  /** The first word before a title glued to it was removed ("นายกร" for given "กร"), when different. */
  givenUnstripped: string;
  /**
   * What was written in brackets in the name: one word is a nickname ("สมชาย ใจดี (ต้อม)"), several words another
   * way of writing the name ("สมชาย ใจดี (Somchai Jaidee)").
   */
  bracketed: string[];
}

function parseName(name: string): ParsedName {
  const bracketed: string[] = [];
  const outside = name.replace(BRACKETED, (_m, inner: string) => {
    bracketed.push(inner);
    return " ";
  });
  // Words with digits are not names (a staff number, a code added to tell two accounts apart).
  const original = normalizeForNameMatch(outside)
    .split(" ")
    .filter((w) => w && !/\p{Nd}/u.test(w));
  const words = stripTrailingTitles(stripLeadingPrefixes(original, TITLE_INDEX));
  const given = words[0] ?? "";
  const surname = words.slice(1).join(" ");
  const containing = original.find((w) => w !== given && w.endsWith(given));
  return { given, surname, givenUnstripped: given && containing ? containing : given, bracketed };
}

/** A nickname, normalised, without titles ("คุณต้อม" → "ต้อม"); "" when it is only titles or positions. */
function parseNickname(raw: string): string {
  const words = normalizeForNameMatch(raw).split(" ").filter(Boolean);
  return stripTrailingTitles(stripLeadingPrefixes(words, TITLE_INDEX)).join(" ");
}

/** A person's name split into given name and surname with titles removed (both normalised; "" when absent). */
export function splitPersonName(name: string): { given: string; surname: string } {
  const { given, surname } = parseName(name);
  return { given, surname };
}

// ---------------------------------------------------------------------------------------------------------------
// The text

interface Haystack {
  /** Normalised fields, " " at both ends, fields separated by " \n ": Latin words are found as " word ". */
  spaced: string;
  /** Normalised fields without spaces, "\n" at both ends and between fields: Thai names are found as substrings. */
  compact: string;
  /** Each field's words and the whole field, with titles and cues in front removed (built when first needed). */
  words: Set<string> | null;
  /** Positions in `compact` right after a cue (built when first needed). */
  cueEnds: number[] | null;
  fields: string[];
  /** Results per searched term, shared by the candidates of one call. */
  memo: Map<string, boolean>;
}

function buildHaystack(texts: readonly string[]): Haystack {
  const fields = texts.map(normalizeForNameMatch).filter((f) => f.length > 0);
  return {
    spaced: ` ${fields.join(" \n ")} `,
    compact: `\n${fields.map(compact).join("\n")}\n`,
    words: null,
    cueEnds: null,
    fields,
    memo: new Map(),
  };
}

/** Longest word worth keeping for standing-alone matches (longest title + a short name). */
const MAX_STANDALONE_WORD = Math.max(...TEXT_PREFIXES.map((p) => p.text.length)) + 8;
/** Longest field worth checking as a whole ("คุณ เอ", "ว่าที่ ร.ต. กร"). */
const MAX_STANDALONE_FIELD = 2 * MAX_STANDALONE_WORD;

function standaloneWords(hay: Haystack): Set<string> {
  if (hay.words) return hay.words;
  const set = new Set<string>();
  const seen = new Set<string>();
  for (const field of hay.fields) {
    const words = field.split(" ");
    if (field.length <= MAX_STANDALONE_FIELD) set.add(stripLeadingPrefixes(words, TEXT_INDEX).join(""));
    for (const w of words) {
      if (w.length > MAX_STANDALONE_WORD || seen.has(w)) continue;
      seen.add(w);
      set.add(w);
      set.add(stripLeadingPrefixes([w], TEXT_INDEX).join(""));
    }
  }
  hay.words = set;
  return set;
}

/** Whether a Thai word starting at `at` would be cut from the syllable before it (เ|ดง: ดง in แดง). */
function cutsBefore(text: string, at: number, needle: string): boolean {
  return THAI_CONSONANT_START.test(needle) && THAI_LEADING_VOWEL.test(text[at - 1] ?? "");
}

/** Whether a Thai word ending before `end` would be cut from its vowel or tone mark (กร|ุณา). */
function cutsAfter(text: string, end: number): boolean {
  return THAI_MARK.test(text[end] ?? "");
}

/** Whether `needle` (compact, Thai or other non-Latin) occurs in the compact text without cutting a syllable. */
function findInCompact(hay: Haystack, needle: string): boolean {
  const text = hay.compact;
  for (let from = 0; ;) {
    const at = text.indexOf(needle, from);
    if (at < 0) return false;
    if (!cutsBefore(text, at, needle) && !cutsAfter(text, at + needle.length)) return true;
    from = at + 1;
  }
}

function cueEnds(hay: Haystack): number[] {
  if (hay.cueEnds) return hay.cueEnds;
  const text = hay.compact;
  const ends = new Set<number>();
  for (const cue of CUE_TEXTS) {
    for (let at = text.indexOf(cue); at >= 0; at = text.indexOf(cue, at + 1)) {
      if (cutsBefore(text, at, cue)) continue;
      const end = at + cue.length;
      ends.add(end);
      if (text.startsWith(CUE_LINK, end)) ends.add(end + CUE_LINK.length);
    }
  }
  hay.cueEnds = [...ends];
  return hay.cueEnds;
}

function memoised(hay: Haystack, key: string, find: () => boolean): boolean {
  const known = hay.memo.get(key);
  if (known !== undefined) return known;
  const found = find();
  hay.memo.set(key, found);
  return found;
}

const hasWord = (hay: Haystack, words: string): boolean => hay.spaced.includes(` ${words} `);

/** A name part found anywhere: Latin on word boundaries, anything else as a substring of the compact text. */
function findAnywhere(hay: Haystack, term: string): boolean {
  return memoised(hay, `any:${term}`, () => (isLatinTerm(term) ? hasWord(hay, term) : findInCompact(hay, compact(term))));
}

/** A short Thai name part: found right after a cue, or standing alone as a word or as a whole field. */
function findShortThai(hay: Haystack, term: string): boolean {
  const needle = compact(term);
  const text = hay.compact;
  return memoised(
    hay,
    `short:${needle}`,
    () =>
      standaloneWords(hay).has(needle) || cueEnds(hay).some((at) => text.startsWith(needle, at) && !cutsAfter(text, at + needle.length)),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

const STRENGTH_RANK: Record<MatchStrength, number> = { full: 4, surname: 3, given: 2, nickname: 1 };
const MIN_LENGTH = 3;
const MIN_SHORT_LENGTH = 2;

function matchFull(hay: Haystack, given: string, surname: string): boolean {
  if (!given || !surname) return false;
  if (isLatinTerm(given) && isLatinTerm(surname)) {
    const surnames = new Set([surname, surname.split(" ").at(-1) ?? surname]);
    for (const s of surnames) if (hasWord(hay, `${given} ${s}`) || hasWord(hay, `${s} ${given}`)) return true;
    return false;
  }
  return findAnywhere(hay, compact(given) + compact(surname));
}

function matchSurname(hay: Haystack, surname: string): string | null {
  if (!surname) return null;
  const variants = [surname];
  const last = surname.split(" ").at(-1);
  if (isLatinTerm(surname) && last && last !== surname) variants.push(last);
  for (const v of variants) if (nameLength(v) >= MIN_LENGTH && findAnywhere(hay, v)) return v;
  return null;
}

function matchGiven(hay: Haystack, given: string, unstripped: string): string | null {
  if (!given) return null;
  const length = nameLength(given);
  if (length >= MIN_LENGTH) return findAnywhere(hay, given) ? given : null;
  if (length >= MIN_SHORT_LENGTH) {
    if (isLatinTerm(given)) {
      if (LATIN_TITLES.some((t) => hasWord(hay, `${t} ${given}`))) return given;
    } else if (findShortThai(hay, given)) {
      return given;
    }
  }
  // "นายกร": the title may in fact have been part of the name.
  if (unstripped !== given && nameLength(unstripped) >= MIN_LENGTH && findAnywhere(hay, unstripped)) return unstripped;
  return null;
}

function matchNickname(hay: Haystack, nickname: string): boolean {
  const length = nameLength(nickname);
  if (length < MIN_SHORT_LENGTH || NON_NAMES.has(compact(nickname))) return false; // a cue is no nickname either
  if (isLatinTerm(nickname) || length >= MIN_LENGTH) return findAnywhere(hay, nickname);
  return findShortThai(hay, nickname);
}

function matchName(hay: Haystack, name: ParsedName): { strength: MatchStrength; matched: string } | null {
  const { given, surname, givenUnstripped } = name;
  if (matchFull(hay, given, surname)) return { strength: "full", matched: `${given} ${surname}` };
  const s = matchSurname(hay, surname);
  if (s) return { strength: "surname", matched: s };
  const g = matchGiven(hay, given, givenUnstripped);
  if (g) return { strength: "given", matched: g };
  return null;
}

function matchCandidate(hay: Haystack, candidate: NameCandidate): NameMatch | null {
  const { id } = candidate;
  const parsed = parseName(candidate.name);
  const nicknames = (candidate.nicknames ?? []).map(parseNickname);
  const alternates: ParsedName[] = [];
  for (const raw of parsed.bracketed) {
    const alternate = parseName(raw);
    if (alternate.surname) alternates.push(alternate);
    else nicknames.push(alternate.given); // "" when only titles: "(ปลัด อบต.)"
  }
  let best: NameMatch | null = null;
  for (const name of [parsed, ...alternates]) {
    const m = matchName(hay, name);
    if (m && (!best || STRENGTH_RANK[m.strength] > STRENGTH_RANK[best.strength])) best = { id, ...m };
  }
  if (best) return best;
  for (const nickname of nicknames) {
    if (nickname && matchNickname(hay, nickname)) return { id, strength: "nickname", matched: nickname };
  }
  return null;
}

/** Every candidate who appears to be named somewhere in `texts` (each candidate at most once, strongest match). */
export function findNamedCandidates(texts: readonly string[], candidates: readonly NameCandidate[]): NameMatch[] {
  if (candidates.length === 0) return [];
  const hay = buildHaystack(texts);
  if (hay.fields.length === 0) return [];
  const byId = new Map<number, NameMatch>();
  for (const candidate of candidates) {
    const match = matchCandidate(hay, candidate);
    if (!match) continue;
    const prev = byId.get(match.id);
    if (!prev || STRENGTH_RANK[match.strength] > STRENGTH_RANK[prev.strength]) byId.set(match.id, match);
  }
  return [...byId.values()];
}
