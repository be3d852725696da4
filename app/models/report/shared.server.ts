/**
 * What every part of the report channel shares: errors, the shapes of the encrypted records and the associated data
 * that binds each ciphertext to its report, input limits and cleaning, the channel's settings, file storage paths.
 *
 * The channel's modules (app/models/report/): filing (a report is filed), recipients (who receives it, fixed at
 * filing), inbox (the reporter's side), casework (the recipients' side), files (evidence), channel-audit (the audit
 * entries only recipients can read), notifications (content-free, batched), retention (purge, counts),
 * staff-keys and key-vault (recipients' key pairs), crypto (every cipher), key-migration (from the first format).
 */
import path from "node:path";
import type { ReportFinding, ReportMode, ReportReferral, Staff } from "../../../db/schema";
import { getEnv } from "~/utils/env.server";
import { LIMITS, cleanText as cleanFormText, textProblem } from "~/lib/validation";
import { i18nFor } from "~/i18n";
import { DomainError } from "~/lib/domain-error";

import type { Executor } from "../../../db/connection";
export type { Executor };

/** Who is acting, as far as these rules need to know (a Staff row fits). */
export type ReportActor = Pick<Staff, "id" | "role">;

// ---- errors -------------------------------------------------------------------------------------------------------

/**
 * The report does not exist or this person may not see it (routes answer 404; never say which). A DomainError like
 * every refusal; the class stays because callers tell "not found" from other refusals by it.
 */
export class ReportNotFoundError extends DomainError {
  constructor() {
    super(404, "integrity:case.notFound");
    this.name = "ReportNotFoundError";
    this.message = "Report not found";
  }
}

/** The person may not use the report channel at all (routes answer 403 or 404). */
export class ReportForbiddenError extends DomainError {
  constructor() {
    super(403, "errors.forbidden");
    this.name = "ReportForbiddenError";
  }
}

/** Bad input (routes answer 422). `messageKey` is an i18n key in the report namespace; `field` names the field. */
export class ReportInputError extends DomainError {
  declare readonly field: string;
  constructor(field: string, messageKey: string, params: Record<string, string | number> = {}) {
    super(422, messageKey, { field, params });
    this.name = "ReportInputError";
  }
}

/** The report is not there or not this person's to see (both look the same from outside). */
export function isReportHidden(e: unknown): e is ReportNotFoundError | ReportForbiddenError {
  return e instanceof ReportNotFoundError || e instanceof ReportForbiddenError;
}

/** An error key from the data layer as the report pages show it: the report namespace when it has the key. */
export function reportErrorKey(key: string): string {
  if (key === "complaint:errors.fileType") return "report:errors.fileType";
  if (key === "errors.tooManyFiles") return "complaint:errors.tooManyFiles";
  if (key.includes(":")) return key;
  return i18nFor("th").exists(`report:${key}`) ? `report:${key}` : key;
}

// ---- input ----------------------------------------------------------------------------------------------------------

export const REPORT_LIMITS = {
  short: 300,
  whatHappened: 10_000,
  howKnown: 3000,
  reportedElsewhere: 1000,
  reporterName: 200,
  reporterContact: 300,
  message: 5000,
  maxFiles: LIMITS.maxFiles,
  maxFileBytes: LIMITS.maxFileBytes,
  maxTotalBytes: LIMITS.maxTotalBytes,
} as const;

export interface ReportFields {
  involvedName?: string;
  involvedPosition?: string;
  involvedDivision?: string;
  whatHappened: string;
  when?: string;
  where?: string;
  howKnown?: string;
  reportedElsewhere?: string;
  /** Only kept in confidential mode. */
  reporterName?: string;
  /** Only kept in confidential mode. */
  reporterContact?: string;
}

export const FIELD_LIMITS: Record<keyof ReportFields, number> = {
  involvedName: REPORT_LIMITS.short,
  involvedPosition: REPORT_LIMITS.short,
  involvedDivision: REPORT_LIMITS.short,
  whatHappened: REPORT_LIMITS.whatHappened,
  when: REPORT_LIMITS.short,
  where: REPORT_LIMITS.short,
  howKnown: REPORT_LIMITS.howKnown,
  reportedElsewhere: REPORT_LIMITS.reportedElsewhere,
  reporterName: REPORT_LIMITS.reporterName,
  reporterContact: REPORT_LIMITS.reporterContact,
};

/**
 * Cleans a field the way every form does (cleanText in app/lib/validation.ts: NFC, LF, trimmed); single-line fields
 * also fold white space into single spaces. Control characters are not dropped: textProblem refuses them.
 */
export function cleanText(v: unknown, multiline: boolean): string {
  return typeof v === "string" ? cleanFormText(v, { singleLine: !multiline }) : "";
}

/** A message or note: cleaned and checked like any form text, at most REPORT_LIMITS.message characters. */
export function cleanMessage(text: unknown, field: string, { required }: { required: boolean }): string {
  const clean = cleanText(text, true);
  const problem = textProblem(clean, REPORT_LIMITS.message, required);
  if (problem) throw new ReportInputError(field, problem.key, problem.params ?? {});
  return clean;
}

// ---- encrypted records ---------------------------------------------------------------------------------------------

/** A person a report was addressed to when it was filed (names as they were then). */
export interface SealedRecipient {
  id: number;
  name: string;
  /** The alternate recipient (e.g. the chair of the audit committee) rather than an integrity officer. */
  alternate: boolean;
}

/** Someone who was on the list when the report was filed and does not receive it. */
export interface SealedExclusion {
  id: number;
  /** 'reporter': the reporter said the report concerns them; 'named': their name appears in the report's text. */
  reason: "reporter" | "named";
}

/** The report's submission record (reports.envelope). */
export interface SealedSubmission {
  v: 2;
  mode: ReportMode;
  /** What the reporter asked for: the integrity officers, or only the alternate. */
  requestedRecipient: "integrity" | "alternate";
  /** Who received it at filing; null for reports filed before recipients were fixed (migration 0800). */
  recipients: SealedRecipient[] | null;
  excluded: SealedExclusion[];
  fields: ReportFields;
  /** The received-at text of the canonical submission when it differs from reports.received_at (reports filed before 0800). */
  digestReceivedAt?: string;
  /** Reports filed before 0800: where the old routing sent it (the alternate only, or the integrity officers). */
  routedTo?: "integrity" | "alternate";
}

export interface MessageBody {
  text: string;
  /** The officer who wrote an officer message. */
  staffId?: number;
}

export interface EventNote {
  note: string;
  finding?: ReportFinding | null;
  referredTo?: ReportReferral | null;
  /** The officer who made the change. */
  staffId?: number | null;
}

export interface FileMeta {
  name: string;
  mime: string;
  /** The real size (the stored file is padded to a size class). */
  size?: number;
  keptOriginal: boolean;
  originalSha256?: string;
}

/** Associated data: binds each ciphertext to its report and record kind. */
export const reportAad = {
  submission: (publicId: string) => `report:${publicId}:submission`,
  message: (publicId: string) => `report:${publicId}:message`,
  event: (publicId: string) => `report:${publicId}:event`,
  file: (publicId: string, storageId: string) => `report:${publicId}:file:${storageId}`,
  fileMeta: (publicId: string, storageId: string) => `report:${publicId}:file-meta:${storageId}`,
  audit: (publicId: string) => `report:${publicId}:audit`,
};

// ---- settings -------------------------------------------------------------------------------------------------------

export interface ChannelSettings {
  alternate_staff_id: number | null;
  alternate_label_th: string;
  alternate_label_en: string;
  retention_years: number;
  ack_days: number;
  feedback_days: number;
}

export async function channelSettings(db: Executor): Promise<ChannelSettings> {
  const row = await db.selectFrom("integrity_settings").selectAll().where("id", "=", 1).executeTakeFirst();
  return (
    row ?? {
      alternate_staff_id: null,
      alternate_label_th: "",
      alternate_label_en: "",
      retention_years: 5,
      ack_days: 7,
      feedback_days: 30,
    }
  );
}

// ---- files ------------------------------------------------------------------------------------------------------------

/**
 * <DATA_DIR>/reports: encrypted report files with random names, as the local-disk file store keeps them (key
 * reports/<storage id>). Every reader and writer goes through app/utils/file-store.server.ts; only migration 0800,
 * which re-encrypted the files on disk before the file store existed, uses these paths.
 */
export function reportsDir(): string {
  return path.join(getEnv().DATA_DIR, "reports");
}

export function storagePath(storageId: string): string {
  if (!/^[0-9a-f]{32}$/.test(storageId)) throw new Error("Invalid storage id");
  return path.join(reportsDir(), storageId);
}

// ---- public ids -------------------------------------------------------------------------------------------------------

export function formatReportPublicId(fiscalYear: number, seq: number): string {
  return `R${fiscalYear}-${String(seq).padStart(4, "0")}`;
}

export const REPORT_PUBLIC_ID_RE = /^R\d{4}-\d{4,}$/;
