/**
 * Every string of every namespace and language, for the server (pages, e-mails, letters, CLI). The browser build
 * replaces this module with an empty one: the browser fetches only its page's language and namespaces (app/i18n.ts).
 * A new namespace: its two JSON files here, and its name in NAMESPACES (app/i18n.ts).
 * i18next itself is created here too (createI18n in app/i18n.ts), so that it stays out of the browser's scripts.
 */
import i18next, { type i18n as I18n, type InitOptions } from "i18next";
import thCommon from "./locales/th/common.json";
import enCommon from "./locales/en/common.json";
import thComplaint from "./locales/th/complaint.json";
import enComplaint from "./locales/en/complaint.json";
import thTrack from "./locales/th/track.json";
import enTrack from "./locales/en/track.json";
import thStaff from "./locales/th/staff.json";
import enStaff from "./locales/en/staff.json";
import thEmail from "./locales/th/email.json";
import enEmail from "./locales/en/email.json";
import thNotice from "./locales/th/notice.json";
import enNotice from "./locales/en/notice.json";
import thReport from "./locales/th/report.json";
import enReport from "./locales/en/report.json";
import thIntegrity from "./locales/th/integrity.json";
import enIntegrity from "./locales/en/integrity.json";
import thDeadline from "./locales/th/deadline.json";
import enDeadline from "./locales/en/deadline.json";
import thEscalation from "./locales/th/escalation.json";
import enEscalation from "./locales/en/escalation.json";
import thStats from "./locales/th/stats.json";
import enStats from "./locales/en/stats.json";
import thSatisfaction from "./locales/th/satisfaction.json";
import enSatisfaction from "./locales/en/satisfaction.json";
import thCaselist from "./locales/th/caselist.json";
import enCaselist from "./locales/en/caselist.json";
import thStatreport from "./locales/th/statreport.json";
import enStatreport from "./locales/en/statreport.json";
import thProof from "./locales/th/proof.json";
import enProof from "./locales/en/proof.json";
import thAudit from "./locales/th/audit.json";
import enAudit from "./locales/en/audit.json";
import thLine from "./locales/th/line.json";
import enLine from "./locales/en/line.json";
import thOrgsetup from "./locales/th/orgsetup.json";
import enOrgsetup from "./locales/en/orgsetup.json";
import thMap from "./locales/th/map.json";
import enMap from "./locales/en/map.json";

export const resources = {
  th: {
    common: thCommon,
    complaint: thComplaint,
    track: thTrack,
    staff: thStaff,
    email: thEmail,
    notice: thNotice,
    report: thReport,
    integrity: thIntegrity,
    deadline: thDeadline,
    escalation: thEscalation,
    stats: thStats,
    satisfaction: thSatisfaction,
    caselist: thCaselist,
    statreport: thStatreport,
    proof: thProof,
    audit: thAudit,
    line: thLine,
    orgsetup: thOrgsetup,
    map: thMap,
  },
  en: {
    common: enCommon,
    complaint: enComplaint,
    track: enTrack,
    staff: enStaff,
    email: enEmail,
    notice: enNotice,
    report: enReport,
    integrity: enIntegrity,
    deadline: enDeadline,
    escalation: enEscalation,
    stats: enStats,
    satisfaction: enSatisfaction,
    caselist: enCaselist,
    statreport: enStatreport,
    proof: enProof,
    audit: enAudit,
    line: enLine,
    orgsetup: enOrgsetup,
    map: enMap,
  },
} as const;

/** An i18next instance with every string (app/i18n.ts, createI18n). */
export function createI18next(options: InitOptions): I18n {
  const instance = i18next.createInstance();
  void instance.init({ ...options, resources });
  return instance;
}
