/**
 * Table types for the whole portal, in one `Database` interface (Kysely).
 * Timestamps are ISO-8601 UTC strings ("2026-11-26T01:02:03.456Z"); booleans are 0/1 integers.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

type CreatedAt = ColumnType<string, string | undefined, never>;

export interface OrgProfileTable {
  id: number; // always 1
  code: string;
  name_th: string;
  name_en: string;
  address_th: string;
  address_en: string;
  phone: string;
  email: string;
  website: string;
  /** Who handles personal-data requests (PDPA). */
  privacy_contact_th: string;
  privacy_contact_en: string;
  sla_days: number;
  due_soon_days: number;
  counting_mode: "calendar" | "working";
  /** How long closed general complaints keep personal data, in years. */
  retention_years: number;
  /** Where the portal's maps open (migration 2026-12-20T0100); null: the whole country until the administrator sets it. */
  map_centre_lat: ColumnType<number | null, number | null | undefined, number | null>;
  map_centre_lng: ColumnType<number | null, number | null | undefined, number | null>;
  /** Zoom level of the maps' first view (5 = a region, 18 = a few houses). */
  map_zoom: Generated<number>;
  /** The organisation's LINE ID for citizens ("" when it has none; migration 2026-12-20T0300). */
  line_id: Generated<string>;
  /** When the office is open, as people read it ("จันทร์–ศุกร์ 08:30–16:30 น."). */
  office_hours_th: Generated<string>;
  office_hours_en: Generated<string>;
  /** When an administrator confirmed the contact details and village names (null: /staff/setup comes first). */
  setup_completed_at: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: string;
}

export interface DivisionTable {
  id: Generated<number>;
  code: string;
  name_th: string;
  name_en: string;
  sort_order: number;
  active: number;
}

export interface VillageTable {
  id: Generated<number>;
  number: number;
  name_th: string;
  name_en: string;
  active: number;
}

export interface CategoryTable {
  id: Generated<number>;
  code: string;
  name_th: string;
  name_en: string;
  division_id: number;
  sort_order: number;
  active: number;
}

export type StaffRole = "admin" | "supervisor" | "officer" | "intake" | "executive" | "integrity";

export interface StaffTable {
  id: Generated<number>;
  email: string;
  name: string;
  role: StaffRole;
  division_id: number | null;
  password_hash: string;
  active: number;
  failed_logins: Generated<number>;
  locked_until: string | null;
  last_login_at: string | null;
  created_at: CreatedAt;
  /** TOTP secret encrypted with a key derived from the master key (integrity officers). */
  totp_secret_enc: ColumnType<string | null, string | null | undefined, string | null>;
  totp_enabled_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Last accepted TOTP time step (replay guard). */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
  /** JSON array of sha256 hex of the unused recovery codes. */
  recovery_codes: ColumnType<string | null, string | null | undefined, string | null>;
  /** Reminded about unassigned due-soon cases of their division (migration 0500). */
  is_division_head: Generated<number>;
  /** Lead of the complaint centre: told about cases left unassigned (migration 0500). */
  is_centre_lead: Generated<number>;
  /** Position (ตำแหน่ง), shown to a whistleblower choosing who may read their report (migration 0800). */
  position: Generated<string>;
  /** Nicknames (ชื่อเล่น), comma-separated: matched in report texts so a report that names them avoids them. */
  nicknames: Generated<string>;
  /** When the password was last set (migration 0900); recognised devices and other sessions end when it changes. */
  password_changed_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A one-time link by which a person sets their own password (migration 0900). */
export interface StaffEnrolmentTable {
  id: Generated<number>;
  staff_id: number;
  /** sha256 of the token in the link; the link itself is never stored. */
  token_hash: string;
  purpose: "enrol" | "reset";
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** The administrator who made it (null: the staff CLI). */
  created_by: number | null;
  created_by_os_user: string | null;
}

/**
 * A report recipient's X25519 key pair (migration 0800, app/models/report/staff-keys.server.ts): the public key in
 * the clear, the private key's 32-byte seed only sealed under their password (argon2id) and under a recovery key.
 */
export interface StaffKeyTable {
  staff_id: number;
  /** Raw X25519 public key, base64url. */
  public_key: string;
  /** "sk1." + AES-256-GCM(seed) under argon2id(password, kdf_salt). */
  sealed_seed: string;
  kdf_salt: string;
  /** JSON of the argon2id parameters used. */
  kdf: string;
  /** The seed sealed under a key derived from the recovery key shown once at creation. */
  recovery_sealed_seed: string | null;
  /** Bangkok date the key pair was made. */
  created_on: string;
}

/** Roles an administrator made sign in with a second factor beyond the fixed ones (migration 1000). */
export interface SecondFactorRoleTable {
  role: "officer" | "intake" | "executive";
  set_at: string;
  set_by: number | null;
}

/** A WebAuthn credential (passkey) of a staff member (migration 1000, app/models/staff/passkeys.server.ts). */
export interface StaffPasskeyTable {
  id: Generated<number>;
  staff_id: number;
  /** base64url credential id, unique. */
  credential_id: string;
  /** base64url COSE public key. */
  public_key: string;
  /** Signature counter last seen (0 for authenticators that keep none). */
  counter: Generated<number>;
  /** JSON array of the transports the browser reported ("internal", "usb", "hybrid", …). */
  transports: Generated<string>;
  /** The name the person gave it ("โทรศัพท์", "คอมพิวเตอร์ที่ทำงาน"). */
  name: string;
  /** 1 when the authenticator said the credential is backed up (synced passkey). */
  backed_up: Generated<number>;
  created_at: string;
  last_used_at: string | null;
}

/** The one WebAuthn challenge a session may answer (migration 1000): single use, short-lived. */
export interface StaffWebauthnChallengeTable {
  /** staff_sessions.id (sha256 of the cookie). */
  session_id: string;
  purpose: "register" | "authenticate";
  challenge: string;
  expires_at: string;
}

/** A day's key for reporters' inbox cookies (app/models/report/cookies.server.ts), sealed; gone two days later. */
export interface InboxCookieKeyTable {
  /** Days since 1970-01-01 (UTC). */
  day: number;
  sealed: string;
}

/** An inbox session signed out before its end: sha256 of its random id, and the day (for deletion). */
export interface InboxSignedOutTable {
  sid_hash: string;
  day: number;
}

export interface StaffSessionTable {
  /** sha256 of the random cookie value; the cookie itself is never stored. */
  id: string;
  staff_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  /** When the second factor was checked for this session (integrity officers); null otherwise. */
  mfa_verified_at: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * What the session carries for any app server, sealed under a key derived from the cookie token
   * (app/utils/session-seal.server.ts): report keys, things to show once. Null for most sessions.
   */
  sealed_state: ColumnType<string | null, string | null | undefined, string | null>;
  /** The organisation this session was switched in from (a linked account, ADR 0016); null when signed in here. */
  switched_from: ColumnType<string | null, string | null | undefined, string | null>;
}

export type ComplaintChannel = "web" | "walk_in" | "phone" | "letter" | "line" | "facebook";
export type PreferredContact = "none" | "email" | "phone" | "post";

export interface ComplaintTable {
  id: Generated<number>;
  reference: string;
  fiscal_year: number;
  seq: number;
  /** sha256 of the form's one-time submission key: makes re-posting the same form idempotent. */
  submission_key_hash: string | null;
  /** HMAC of the tracking code with the server pepper; the code itself is never stored. */
  tracking_hash: string;
  channel: ComplaintChannel;
  category_id: number;
  subject: string;
  details: string;
  village_id: number | null;
  landmark: string;
  latitude: number | null;
  longitude: number | null;
  contact_name: string;
  contact_phone: string;
  contact_email: string;
  contact_address: string;
  preferred_contact: PreferredContact;
  /** Language the citizen used, for notices. */
  lang: "th" | "en";
  status: string;
  division_id: number | null;
  assignee_id: number | null;
  received_at: string;
  due_at: string;
  accepted_at: string | null;
  closed_at: string | null;
  result_summary: string;
  forwarded_to: string;
  recorded_by: number | null;
  created_at: string;
  updated_at: string;
  // Deadline clock (migration 0500).
  period_no: Generated<number>;
  period_started_at: string | null;
  ack_due_at: string | null;
  acknowledged_at: string | null;
  paused_at: string | null;
  /** Days (in the case's counting mode) that were left when the clock was paused; negative: days overdue. */
  remaining_days: number | null;
  /** Counting mode the current deadline was set under (migration 2026-12-17T0100); null for older cases (the policy's mode). */
  deadline_mode: ColumnType<"calendar" | "working" | null, "calendar" | "working" | null | undefined, "calendar" | "working" | null>;
  explanation_owed: Generated<number>;
  explained_at: string | null;
  /** New expected date given in the latest explanation to the complainant. */
  expected_at: string | null;
  // Statistics (migration 0700): outcome of the first deadline period and of the written acknowledgement.
  sla_outcome: ColumnType<SlaOutcome | null, SlaOutcome | null | undefined, SlaOutcome | null>;
  ack_outcome: ColumnType<AckOutcome | null, AckOutcome | null | undefined, AckOutcome | null>;
  /** When personal data and free text were removed (retention or erasure; migration 1200); null while kept. */
  anonymised_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** What happened within a complaint's first deadline period (plan measure 23); null while undecided. */
export type SlaOutcome = "resolved" | "explained" | "late";
export type AckOutcome = "on_time" | "late";

export type CaseEventKind = "created" | "status" | "assign" | "reply" | "note";

export interface CaseEventTable {
  id: Generated<number>;
  complaint_id: number;
  kind: CaseEventKind;
  from_status: string | null;
  to_status: string | null;
  actor_id: number | null;
  note: string;
  is_public: number;
  division_id: number | null;
  assignee_id: number | null;
  created_at: string;
}

export interface AttachmentTable {
  id: Generated<number>;
  complaint_id: number;
  sha256: string;
  mime: string;
  size: number;
  original_name: string;
  created_at: string;
}

/** Files that passed their checks on a rejected form, kept so the citizen need not choose them again. */
export interface PendingUploadTable {
  id: string;
  sha256: string;
  mime: string;
  size: number;
  original_name: string;
  created_at: string;
}

export type OutboxStatus = "pending" | "sending" | "sent" | "dead";

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  complaint_id: number | null;
  /** Encrypted at rest (envelope from app/utils/crypto.server.ts); cleared once sent. */
  payload: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  claimed_until: string | null;
  last_error: string | null;
  sent_at: string | null;
  created_at: string;
  dedupe_key: string | null;
  /** 'email' (the default) or 'line' (a push to a LINE chat that follows the case). */
  channel: Generated<"email" | "line">;
}

export interface ReferenceCounterTable {
  fiscal_year: number;
  last_seq: number;
}

// ---- Corruption & misconduct report channel (measure 28) ----

export type ReportMode = "anonymous" | "confidential";
export type ReportRecipient = "integrity" | "alternate";
export type ReportStatus = "received" | "preliminary_review" | "investigation" | "concluded" | "referred" | "closed";
export type ReportFinding = "substantiated" | "unsubstantiated";
export type ReportReferral = "nacc" | "police" | "other";
export type ReportTag =
  "bribery" | "procurement" | "personnel" | "abuse_of_position" | "conflict_of_interest" | "unfair_service" | "officer_conduct" | "other";

export interface ReportTable {
  id: Generated<number>;
  /** Officer-facing number, e.g. "R2570-0007" (not a secret; never used by reporters to find the report). */
  public_id: string;
  /**
   * Lookup hash of the receipt, hex; the receipt itself is never stored. Scheme 2: the first half of a 64-byte
   * argon2id(receipt, pepper, installation salt) whose second half is the reporter's key seed (never stored); scheme 1
   * (reports filed before migration 0800, until their reporter signs in once): the whole 32-byte argon2id.
   */
  receipt_hash: string;
  receipt_scheme: Generated<number>;
  /** sha256 of the form's one-time submission key (idempotent re-posts); null after purge. */
  submission_key_hash: string | null;
  status: ReportStatus;
  finding: ReportFinding | null;
  referred_to: ReportReferral | null;
  /** Reports filed before migration 0800 only: the report key wrapped by the master key, until every recipient has their own wrap; "" afterwards. */
  wrapped_key: string;
  /** Encrypted JSON: mode, recipients and exclusions fixed at filing, everything the reporter typed; "" after purge. */
  envelope: string;
  /** Encrypted JSON: everyone who holds a wrapped key (recipients at filing, later grants), for notices and the report page. */
  holders: Generated<string>;
  /** sha256 hex of the canonical submission (proof of filing). */
  submission_digest: string;
  /** Bangkok date the report was received ("YYYY-MM-DD": day precision, nothing finer is kept). */
  received_at: string;
  fiscal_year: number;
  seq: number;
  /** Bangkok date by which the reporter should have had an acknowledgement / first feedback. */
  ack_due_at: string;
  last_feedback_at: string | null;
  closed_at: string | null;
  purged_at: string | null;
  /** Bangkok date (as received_at). */
  created_at: string;
  updated_at: string;
  /** The reporter's X25519 public key (from the receipt), base64url; null until known (reports filed before 0800). */
  reporter_pub: string | null;
  /** The report key wrapped (HPKE) for the reporter's public key. */
  reporter_enc: string | null;
  reporter_wrapped: string | null;
}

/**
 * One wrapped copy of a report's key (migration 0800): for a recipient fixed at filing, one given access later by a
 * recipient, or a decoy. Nothing in the row says whom it is for (app/models/report/crypto.server.ts).
 */
export interface ReportKeyTable {
  id: Generated<number>;
  report_id: number;
  tag_pub: string;
  view_tag: string;
  enc: string;
  wrapped: string;
}

export interface ReportTagTable {
  report_id: number;
  tag: ReportTag;
}

export interface ReportMessageTable {
  id: Generated<number>;
  report_id: number;
  author: "reporter" | "officer";
  /** Encrypted with the report key: {text, staffId?} (the officer who wrote it is only inside). */
  envelope: string;
  /** Reporter messages: the Bangkok date only; officer messages: the time. */
  created_at: string;
  /** Read by the other side (1) or not (0); when is not kept. */
  seen: Generated<number>;
}

export interface ReportAttachmentTable {
  id: Generated<number>;
  report_id: number;
  message_id: number | null;
  /** Random file name under <DATA_DIR>/reports/ (the file is encrypted with the report key). */
  storage_id: string;
  /** The size class the file is padded to (the real size is only inside meta_envelope). */
  size: number;
  /** Encrypted JSON {name, mime, size, keptOriginal, originalSha256}. */
  meta_envelope: string;
  created_at: string;
}

export interface ReportEventTable {
  id: Generated<number>;
  report_id: number;
  from_status: string | null;
  to_status: string;
  /** Encrypted JSON {note, finding?, referredTo?, staffId?} with the report key (the officer is only inside). */
  note_envelope: string | null;
  created_at: string;
}

/** A reporter's action waiting for the next batch to reach the audit log (sealed with the report key; the day only). */
export interface ReportActivityPendingTable {
  id: Generated<number>;
  target: string;
  sealed: string;
  day: string;
}

/** A recipient to tell, in the next batch, that something new arrived (no report, no time). */
export interface ReportNoticePendingTable {
  staff_id: number;
  kind: "new" | "update";
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  /** JSON; never report content or identities. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface IntegritySettingsTable {
  id: number; // always 1
  alternate_staff_id: number | null;
  alternate_label_th: string;
  alternate_label_en: string;
  retention_years: number;
  ack_days: number;
  feedback_days: number;
  updated_at: ColumnType<string, string | undefined, string>;
}

/**
 * An evidence file kept (encrypted) across a rejected report form. The key is not stored on the server: the reporter's
 * browser holds it in the re-rendered form. meta_envelope is {name, mime, keptOriginal, originalSha256} encrypted
 * with the same key.
 */
export interface ReportPendingUploadTable {
  id: string;
  storage_id: string;
  size: number;
  meta_envelope: string;
  created_at: string;
}

export interface HolidayTable {
  date: string;
  name_th: string;
  name_en: string;
  kind: "official" | "substitution" | "special";
  updated_at: string;
  updated_by: number | null;
}

export interface SlaPolicyTable {
  scope: "org" | "channel" | "category";
  scope_key: string;
  resolve_days: number;
  ack_days: number;
  due_soon_days: number;
  mode: "calendar" | "working";
  updated_at: string;
}

export type EscalationLevel = "due_soon" | "overdue" | "overdue_executive" | "unassigned";

export interface EscalationRuleTable {
  level: EscalationLevel;
  enabled: number;
  days: number;
  updated_at: string;
}

/** One row (id = 1): the incremental deadline tick's high-water mark (migration 0600). */
export interface DeadlineTickStateTable {
  id: number;
  last_tick_at: string;
  full_scan: number;
}

/** Cases whose deadline thresholds may have moved since the last tick (filled by triggers, migration 0600). */
export interface DeadlineDirtyTable {
  id: Generated<number>;
  complaint_id: number;
}

export interface EscalationTable {
  id: Generated<number>;
  complaint_id: number;
  level: EscalationLevel;
  period_no: number;
  created_at: string;
  /** Who is told (migration 1300): assignee:<id> | division:<id> | supervisors | executives | centre_leads; null = nobody. */
  notify_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One row (id = 1): escalations with id <= notified_through have their e-mails queued (migration 1300). */
export interface EscalationNotifyStateTable {
  id: number;
  notified_through: number;
}

/** One row per escalation digest queued: one recipient, one level, the escalation ids (from_id, through_id]. */
export interface EscalationDigestTable {
  id: Generated<number>;
  level: EscalationLevel;
  staff_id: number;
  from_id: number;
  through_id: number;
  cases: number;
  created_at: string;
}

export type NoticeKind = "acknowledgement" | "progress" | "explanation" | "result";

export interface NoticeTable {
  id: Generated<number>;
  complaint_id: number;
  kind: NoticeKind;
  method: "email" | "letter" | "track";
  staff_id: number | null;
  lang: "th" | "en";
  body: string;
  expected_at: string | null;
  created_at: string;
}

export interface NoticeTemplateTable {
  kind: string;
  lang: "th" | "en";
  subject: string;
  body: string;
  updated_at: string;
  updated_by: number | null;
}

// ---- Statistics, satisfaction and published reports (migration 0700) ----

/** Plan topics an officer gives a general complaint at triage (the targets of measures 13, 15, 16, 17, 19). */
export type PlanTopic = "bribery" | "procurement" | "personnel" | "unfair_service" | "officer_conduct";

export interface ComplaintTopicTable {
  complaint_id: number;
  topic: PlanTopic;
}

export interface CaseRatingTable {
  complaint_id: number;
  score: number;
  comment: string;
  created_at: string;
  updated_at: string;
}

export interface RatingTokenTable {
  /** sha256 hex of the random token sent in the result e-mail link (#fragment). */
  token_hash: string;
  complaint_id: number;
  created_at: string;
  expires_at: string;
}

export interface CounterFeedbackTable {
  id: Generated<number>;
  service: string;
  score: number;
  comment: string;
  fiscal_year: number;
  created_at: string;
}

export type StatReportPeriod = "h1" | "year";
export type StatReportStatus = "draft" | "submitted" | "published";

export interface StatReportTable {
  fiscal_year: number;
  period: StatReportPeriod;
  problems_th: string;
  obstacles_th: string;
  solutions_th: string;
  prevention_th: string;
  problems_en: string;
  obstacles_en: string;
  solutions_en: string;
  prevention_en: string;
  status: StatReportStatus;
  /** JSON of the figures frozen at approval (null until published). */
  snapshot: string | null;
  updated_by: number | null;
  updated_at: string;
  submitted_by: number | null;
  submitted_at: string | null;
  approved_by: number | null;
  approved_at: string | null;
}

/** Summary rows kept by triggers (db/statistics.ts). `day` is the Bangkok date of receipt, YYYY-MM-DD. */
export interface ComplaintStatsTable {
  fiscal_year: number;
  dim: "all" | "category" | "channel" | "division" | "village";
  key: string;
  day: string;
  received: number;
  closed: number;
  resolved: number;
  forwarded: number;
  sla_resolved: number;
  sla_explained: number;
  sla_late: number;
  ack_on_time: number;
  ack_late: number;
}

export interface ComplaintResolveDaysTable {
  fiscal_year: number;
  /** YYYY-MM of receipt (Bangkok). */
  month: string;
  days: number;
  n: number;
}

export interface ReportStatsTable {
  fiscal_year: number;
  day: string;
  received: number;
  completed: number;
  substantiated: number;
  unsubstantiated: number;
  referred: number;
}

export interface TopicStatsTable {
  fiscal_year: number;
  source: "complaint" | "report";
  topic: string;
  day: string;
  n: number;
}

export interface RatingStatsTable {
  fiscal_year: number;
  source: "case" | "counter";
  day: string;
  score: number;
  n: number;
}

/** One row (id = 1): bumped by every statistics trigger, so readers can tell whether cached figures are current. */
export interface StatsVersionTable {
  id: number;
  v: number;
}

/** One row: bumped by triggers on every change to who works here (db/migrations/…_staff_directory_version.ts). */
export interface StaffDirectoryVersionTable {
  id: number;
  v: number;
}

/** A one-time code from the receipt page that links a LINE chat to a case (only its keyed hash is stored). */
export interface LineLinkCodeTable {
  code_hash: string;
  complaint_id: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A LINE chat that follows a case: the user id encrypted at rest, found by a keyed hash of it. */
export interface LineFollowTable {
  id: Generated<number>;
  complaint_id: number;
  user_key: string;
  user_enc: string;
  created_at: string;
}

/** Webhook events already handled (LINE may deliver one again). */
export interface LineWebhookEventTable {
  event_id: string;
  received_at: string;
}

/** A complaint being put together in a LINE chat (encrypted JSON), until confirmed, cancelled or expired. */
export interface LineDraftTable {
  user_key: string;
  payload: string;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

/** "Me too" on an open complaint (a citizen with the same problem); one per device per case. */
export interface ComplaintMeTooTable {
  id: Generated<number>;
  complaint_id: number;
  /** HMAC of the case id and the device's cookie (never the cookie itself). */
  device_hash: string;
  created_at: string;
}

/**
 * Stored files when FILE_STORE=database (app/utils/file-store.server.ts): one row per file, keyed by the store's
 * opaque key ("uploads/ab/<sha256>", "reports/<storage id>", "reports/pending/<storage id>"). Report evidence is
 * ciphertext here as on disk. created_at is the start of the Bangkok day it was written (no time of day). bytes is a
 * blob on SQLite, bytea on PostgreSQL; it is the last column so a scan of the others never reads it.
 */
export interface StoredFileTable {
  key: string;
  size: number;
  created_at: string;
  bytes: Buffer;
}

export interface Database {
  org_profile: OrgProfileTable;
  divisions: DivisionTable;
  villages: VillageTable;
  categories: CategoryTable;
  staff: StaffTable;
  staff_sessions: StaffSessionTable;
  inbox_cookie_keys: InboxCookieKeyTable;
  inbox_signed_out: InboxSignedOutTable;
  staff_passkeys: StaffPasskeyTable;
  staff_webauthn_challenges: StaffWebauthnChallengeTable;
  second_factor_roles: SecondFactorRoleTable;
  complaints: ComplaintTable;
  case_events: CaseEventTable;
  attachments: AttachmentTable;
  pending_uploads: PendingUploadTable;
  outbox: OutboxTable;
  reference_counters: ReferenceCounterTable;
  reports: ReportTable;
  report_tags: ReportTagTable;
  report_keys: ReportKeyTable;
  report_activity_pending: ReportActivityPendingTable;
  report_notices_pending: ReportNoticePendingTable;
  staff_keys: StaffKeyTable;
  staff_enrolments: StaffEnrolmentTable;
  report_messages: ReportMessageTable;
  report_attachments: ReportAttachmentTable;
  report_pending_uploads: ReportPendingUploadTable;
  report_events: ReportEventTable;
  audit_log: AuditLogTable;
  integrity_settings: IntegritySettingsTable;
  holidays: HolidayTable;
  sla_policies: SlaPolicyTable;
  escalation_rules: EscalationRuleTable;
  escalations: EscalationTable;
  escalation_notify_state: EscalationNotifyStateTable;
  escalation_digests: EscalationDigestTable;
  deadline_tick_state: DeadlineTickStateTable;
  deadline_dirty: DeadlineDirtyTable;
  notices: NoticeTable;
  notice_templates: NoticeTemplateTable;
  complaint_topics: ComplaintTopicTable;
  case_ratings: CaseRatingTable;
  rating_tokens: RatingTokenTable;
  counter_feedback: CounterFeedbackTable;
  stat_reports: StatReportTable;
  complaint_stats: ComplaintStatsTable;
  complaint_resolve_days: ComplaintResolveDaysTable;
  report_stats: ReportStatsTable;
  topic_stats: TopicStatsTable;
  rating_stats: RatingStatsTable;
  stats_version: StatsVersionTable;
  staff_directory_version: StaffDirectoryVersionTable;
  complaint_me_too: ComplaintMeTooTable;
  line_link_codes: LineLinkCodeTable;
  line_follows: LineFollowTable;
  line_webhook_events: LineWebhookEventTable;
  line_drafts: LineDraftTable;
  stored_file: StoredFileTable;
}

export type Complaint = Selectable<ComplaintTable>;
export type NewComplaint = Insertable<ComplaintTable>;
export type ComplaintUpdate = Updateable<ComplaintTable>;
export type Staff = Selectable<StaffTable>;
export type StaffPasskey = Selectable<StaffPasskeyTable>;
export type CaseEvent = Selectable<CaseEventTable>;
export type Division = Selectable<DivisionTable>;
export type Category = Selectable<CategoryTable>;
export type Village = Selectable<VillageTable>;
export type OrgProfile = Selectable<OrgProfileTable>;
export type Report = Selectable<ReportTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type IntegritySettings = Selectable<IntegritySettingsTable>;
