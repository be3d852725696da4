/**
 * i18next set-up shared by the server render, the browser and e-mails. Thai is the default language.
 * Each namespace is one JSON file per language under app/locales/<lang>/<ns>.json.
 */
import i18next, { type i18n as I18n, type TFunction } from "i18next";
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

export const LANGUAGES = ["th", "en"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = "th";
export const NAMESPACES = [
  "common",
  "complaint",
  "track",
  "staff",
  "email",
  "notice",
  "report",
  "integrity",
  "deadline",
  "escalation",
  "stats",
  "satisfaction",
  "caselist",
  "statreport",
  "proof",
  "audit",
] as const;

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
  },
} as const;

export function isLang(x: unknown): x is Lang {
  return x === "th" || x === "en";
}

/** A fresh, synchronously initialised i18next instance for one language. */
export function createI18n(lng: Lang): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    lng,
    fallbackLng: DEFAULT_LANG,
    supportedLngs: [...LANGUAGES],
    ns: [...NAMESPACES],
    defaultNS: "common",
    resources,
    interpolation: { escapeValue: false }, // React and the e-mail renderer escape output themselves
    returnNull: false,
    initAsync: false,
  });
  return instance;
}

const cache = new Map<Lang, I18n>();

/** The shared instance for one language (server side: the language never changes on it, so it is safe to share). */
export function i18nFor(lng: Lang): I18n {
  let inst = cache.get(lng);
  if (!inst) {
    inst = createI18n(lng);
    cache.set(lng, inst);
  }
  return inst;
}

/** A translation function for server code (actions, e-mails, CLI). */
export function tFor(lng: Lang, ns: (typeof NAMESPACES)[number] = "common"): TFunction {
  return i18nFor(lng).getFixedT(lng, ns);
}
