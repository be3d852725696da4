import type { Migration } from "kysely";
import * as initial from "./2026-11-26T0100_initial";
import * as openCaseIndexes from "./2026-11-26T0200_open_case_indexes";
import * as corruptionChannel from "./2026-11-26T0300_corruption_channel";
import * as reportPendingUploads from "./2026-11-26T0400_report_pending_uploads";
import * as deadlines from "./2026-11-26T0500_deadlines";
import * as tickState from "./2026-11-26T0600_tick_state";
import * as statistics from "./2026-11-26T0700_statistics";
import * as recipientKeys from "./2026-12-03T0800_recipient_keys";
import * as accounts from "./2026-12-03T0900_accounts";
import * as privacy from "./2026-12-03T1200_privacy";
import * as secondFactor from "./2026-12-03T1000_second_factor";
import * as escalationDigests from "./2026-12-03T1300_escalation_digests";
import * as satisfactionByAnswerDate from "./2026-12-10T0700_satisfaction_by_answer_date";
import * as deadlineMode from "./2026-12-17T0100_deadline_mode";
import * as map from "./2026-12-20T0100_map";
import * as line from "./2026-12-20T0200_line";
import * as orgContactSetup from "./2026-12-20T0300_org_contact_setup";
import * as storedFiles from "./2026-12-24T0100_stored_files";
import * as sessionSealedState from "./2026-12-24T0200_session_sealed_state";
import * as inboxCookieKeys from "./2026-12-24T0300_inbox_cookie_keys";
import * as sessionSwitchedFrom from "./2026-12-31T0100_session_switched_from";
import * as staffDirectoryVersion from "./2026-12-31T0200_staff_directory_version";

/** Every migration, keyed by its timestamped name. Add new ones here in order. */
export const migrations: Record<string, Migration> = {
  "2026-11-26T0100_initial": initial,
  "2026-11-26T0200_open_case_indexes": openCaseIndexes,
  "2026-11-26T0300_corruption_channel": corruptionChannel,
  "2026-11-26T0400_report_pending_uploads": reportPendingUploads,
  "2026-11-26T0500_deadlines": deadlines,
  "2026-11-26T0600_tick_state": tickState,
  "2026-11-26T0700_statistics": statistics,
  "2026-12-03T0800_recipient_keys": recipientKeys,
  "2026-12-03T0900_accounts": accounts,
  "2026-12-03T1000_second_factor": secondFactor,
  "2026-12-03T1200_privacy": privacy,
  "2026-12-03T1300_escalation_digests": escalationDigests,
  "2026-12-10T0700_satisfaction_by_answer_date": satisfactionByAnswerDate,
  "2026-12-17T0100_deadline_mode": deadlineMode,
  "2026-12-20T0100_map": map,
  "2026-12-20T0200_line": line,
  "2026-12-20T0300_org_contact_setup": orgContactSetup,
  "2026-12-24T0100_stored_files": storedFiles,
  "2026-12-24T0200_session_sealed_state": sessionSealedState,
  "2026-12-24T0300_inbox_cookie_keys": inboxCookieKeys,
  "2026-12-31T0100_session_switched_from": sessionSwitchedFrom,
  "2026-12-31T0200_staff_directory_version": staffDirectoryVersion,
};
