/**
 * Who receives a report — decided once, when it is filed, and then fixed by the keys themselves.
 *
 * - The list: active integrity officers who have a key pair, and the alternate recipient (integrity_settings; e.g.
 *   the chair of the council's audit committee) when they are an active integrity officer with a key pair.
 *   /report/new shows it (name and position) and asks whether the report concerns any of them.
 * - Exclusions: everyone the reporter ticks, and everyone whose name (or nickname) appears anywhere in what the
 *   reporter typed (app/lib/name-match.ts). The form shows such names to the reporter before filing, ticked; a person
 *   the reporter then deliberately leaves unticked still receives the report, and the alternate receives it too (when
 *   in doubt, the alternate). Without that confirmation (namesConfirmed false), a named person is always excluded.
 * - The report goes to the integrity officers who are not excluded; when any officer was excluded, it also goes to the
 *   alternate (an independent reader when colleagues of the person concerned remain). A reporter who asks for the
 *   alternate only gets the alternate (or, when the alternate is excluded, the officers who are not).
 * - Nobody left: nothing is stored; the reporter is pointed to ป.ป.ช. and ศูนย์ดำรงธรรม.
 *
 * Excluded people never get a wrapped key, so the exclusion holds whatever is later done to the database or settings.
 */
import { findNamedCandidates } from "~/lib/name-match";
import { publicKeyFingerprint } from "./crypto.server";
import { tFor, type Lang } from "~/i18n";
import { channelSettings, type Executor, type ReportFields, type SealedExclusion, type SealedRecipient } from "./shared.server";

export interface RecipientCandidate {
  id: number;
  name: string;
  position: string;
  nicknames: string[];
  publicKey: Buffer;
  /** The alternate recipient rather than an integrity officer. */
  alternate: boolean;
}

/** Everyone a report filed now could go to (integrity officers first, then the alternate). */
export async function recipientCandidates(db: Executor): Promise<RecipientCandidate[]> {
  const settings = await channelSettings(db);
  const rows = await db
    .selectFrom("staff")
    .innerJoin("staff_keys", "staff_keys.staff_id", "staff.id")
    .select(["staff.id", "staff.name", "staff.position", "staff.nicknames", "staff_keys.public_key"])
    .where("staff.role", "=", "integrity")
    .where("staff.active", "=", 1)
    .orderBy("staff.name")
    .orderBy("staff.id")
    .execute();
  const list = rows.map((r) => ({
    id: r.id,
    name: r.name,
    position: r.position,
    nicknames: r.nicknames
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean),
    publicKey: Buffer.from(r.public_key, "base64url"),
    alternate: r.id === settings.alternate_staff_id,
  }));
  return [...list.filter((c) => !c.alternate), ...list.filter((c) => c.alternate)];
}

export interface RecipientChoice {
  /** What the reporter asked for. */
  requested: "integrity" | "alternate";
  /** Staff ids the reporter said the report concerns (ids not on the list are ignored). */
  excludedByReporter: readonly number[];
  /** The reporter has seen the names found in their text and chose `excludedByReporter` knowing them. */
  namesConfirmed?: boolean;
}

export interface RecipientDecision {
  recipients: RecipientCandidate[];
  excluded: SealedExclusion[];
  /** Everyone whose name appears in the text (excluded, or kept by the reporter's confirmed choice). */
  named: number[];
  /** Everyone on the list (recipients, excluded and anyone else): the number of wrapped-key rows. */
  listSize: number;
}

/** The texts of a report that are searched for names. */
export function reportTexts(fields: ReportFields): string[] {
  return [
    fields.involvedName,
    fields.involvedPosition,
    fields.involvedDivision,
    fields.whatHappened,
    fields.when,
    fields.where,
    fields.howKnown,
    fields.reportedElsewhere,
  ].filter((t): t is string => typeof t === "string" && t.length > 0);
}

/** The decision (pure: the rules above). `recipients` is empty when nobody is left. */
export function decideRecipients(
  candidates: readonly RecipientCandidate[],
  choice: RecipientChoice,
  fields: ReportFields,
): RecipientDecision {
  const listed = new Set(candidates.map((c) => c.id));
  const byReporter = new Set(choice.excludedByReporter.filter((id) => listed.has(id)));
  const named = new Set(findNamedCandidates(reportTexts(fields), candidates).map((m) => m.id));
  const autoExclude = choice.namesConfirmed ? new Set<number>() : named;
  const excluded: SealedExclusion[] = candidates
    .filter((c) => byReporter.has(c.id) || autoExclude.has(c.id))
    .map((c) => ({ id: c.id, reason: byReporter.has(c.id) ? "reporter" : "named" }));
  const out = new Set(excluded.map((e) => e.id));
  const officers = candidates.filter((c) => !c.alternate);
  const alternate = candidates.find((c) => c.alternate && !out.has(c.id)) ?? null;
  const officersLeft = officers.filter((c) => !out.has(c.id));
  // Doubt: an officer excluded, or named in the text and kept by the reporter's choice.
  const doubt = officersLeft.length < officers.length || officersLeft.some((c) => named.has(c.id));
  let recipients: RecipientCandidate[];
  if (choice.requested === "alternate" && alternate) recipients = [alternate];
  else if (doubt && alternate) recipients = [...officersLeft, alternate];
  else recipients = officersLeft;
  return { recipients, excluded, named: [...named], listSize: candidates.length };
}

/** The recipients as sealed in the report (names as they are at filing). */
export function sealedRecipients(decision: RecipientDecision): SealedRecipient[] {
  return decision.recipients.map((r) => ({ id: r.id, name: r.name, alternate: r.alternate }));
}

/** What /report and /report/new show: who would receive a report filed now, and the alternate's public label. */
export async function recipientList(
  db: Executor,
  lang: Lang,
): Promise<{
  officers: { id: number; name: string; position: string; fingerprint: string }[];
  alternate: { id: number; name: string; position: string; fingerprint: string; label: string } | null;
}> {
  const [candidates, settings] = await Promise.all([recipientCandidates(db), channelSettings(db)]);
  const role = tFor(lang, "report")("recipients.defaultPosition");
  const show = (c: RecipientCandidate) => ({
    id: c.id,
    name: c.name,
    position: c.position || role,
    fingerprint: publicKeyFingerprint(c.publicKey),
  });
  const alt = candidates.find((c) => c.alternate);
  const label =
    (lang === "en"
      ? settings.alternate_label_en || settings.alternate_label_th
      : settings.alternate_label_th || settings.alternate_label_en) ?? "";
  return {
    officers: candidates.filter((c) => !c.alternate).map(show),
    alternate: alt ? { ...show(alt), label } : null,
  };
}
