/**
 * THE definitions of every published statistic, in Thai and English: what is counted, over which cases,
 * by which date. Everything that explains a figure is generated from here and checked against it:
 * - the locale keys `statreport:definitions.<key>` (th and en), which the pages (/stats, /stats/corruption,
 *   /stats/targets, /stats/data) and the data dictionary's column descriptions render;
 * - the block between the `stat-definitions` markers in README.md.
 * `npm run stats:definitions` (scripts/stat-definitions.ts) writes both; `-- --check` (and
 * tests/unit/stat-definitions.test.ts) fails when either has drifted. Browser-safe: pure data.
 *
 * The wording must match what the code does: app/models/statistics/figures.server.ts (sums), db/statistics.ts (what each case
 * contributes, by which date), app/lib/sla.ts (outcomes), app/lib/stats.ts (shares, quantiles, month status,
 * small cells), app/lib/plan-targets.ts (verdicts, provisional).
 */
import { SMALL_CELL_MIN } from "./stats";

export interface DefinitionText {
  /** What is counted (or computed). */
  counts: string;
  /** Over which cases. */
  over: string;
  /** By which date a case (or answer) falls into a period. */
  by: string;
}

export interface StatDefinition {
  th: DefinitionText;
  en: DefinitionText;
}

const COHORT_TH = "เรื่องร้องทุกข์/ร้องเรียนทั่วไปที่ได้รับในช่วงเวลานั้น";
const COHORT_EN = "general complaints received in the period";
const RECEIPT_TH = "วันที่รับเรื่อง (เวลากรุงเทพฯ) สถานะ ณ วันที่ของไฟล์/หน้า";
const RECEIPT_EN = "date of receipt (Bangkok time); state as of the page's or file's date";
const REPORTS_TH = "เรื่องร้องเรียนการทุจริตและประพฤติมิชอบที่ได้รับในช่วงเวลานั้น";
const REPORTS_EN = "corruption and misconduct reports received in the period";
const FIRST_PERIOD_TH = "ภายในกำหนดช่วงแรกของเรื่อง (โดยทั่วไป 15 วัน การเปิดเรื่องใหม่ไม่เปลี่ยนผล เวลาที่พักนาฬิการอข้อมูลไม่นับ)";
const FIRST_PERIOD_EN =
  "within the case's first deadline period (usually 15 days; reopening never changes it; time paused waiting for the complainant does not count)";

/** Every definition, keyed by its stable key (most keys are also open-data column keys). */
export const STAT_DEFINITIONS = {
  received: {
    th: { counts: "จำนวนเรื่องที่ได้รับ จากทุกช่องทาง", over: COHORT_TH, by: "วันที่รับเรื่อง (เวลากรุงเทพฯ)" },
    en: { counts: "Complaints received, through every channel", over: COHORT_EN, by: "date of receipt (Bangkok time)" },
  },
  completed: {
    th: { counts: "เรื่องที่ดำเนินการแล้วเสร็จ (แก้ไขแล้ว หรือส่งต่อหน่วยงานที่รับผิดชอบ)", over: COHORT_TH, by: RECEIPT_TH },
    en: { counts: "Complaints completed (resolved, or forwarded to the agency responsible)", over: COHORT_EN, by: RECEIPT_EN },
  },
  in_progress: {
    th: { counts: "เรื่องที่ยังไม่แล้วเสร็จ (= ได้รับ − แล้วเสร็จ)", over: COHORT_TH, by: RECEIPT_TH },
    en: { counts: "Complaints not yet completed (= received − completed)", over: COHORT_EN, by: RECEIPT_EN },
  },
  resolved: {
    th: { counts: "เรื่องที่หน่วยงานแก้ไขแล้วและแจ้งผลแล้ว", over: COHORT_TH, by: RECEIPT_TH },
    en: { counts: "Complaints resolved by the organisation, with the result sent", over: COHORT_EN, by: RECEIPT_EN },
  },
  forwarded: {
    th: { counts: "เรื่องที่อยู่นอกอำนาจหน้าที่และส่งต่อหน่วยงานที่รับผิดชอบแล้ว", over: COHORT_TH, by: RECEIPT_TH },
    en: { counts: "Complaints outside the organisation's powers, forwarded to the agency responsible", over: COHORT_EN, by: RECEIPT_EN },
  },
  deadline_resolved: {
    th: {
      counts: `เรื่องที่แก้ไขแล้วหรือส่งต่อแล้ว ${FIRST_PERIOD_TH} รวมเรื่องที่ชี้แจงแล้วและแก้ไขเสร็จภายในกำหนดเดียวกัน`,
      over: COHORT_TH,
      by: "วันที่รับเรื่อง ผลตัดสินเมื่อแก้ไข ส่งต่อ หรือพ้นกำหนด",
    },
    en: {
      counts: `Complaints resolved or forwarded ${FIRST_PERIOD_EN}, including those explained and then resolved by the same deadline`,
      over: COHORT_EN,
      by: "date of receipt; decided when resolved, forwarded or when the deadline passes",
    },
  },
  deadline_explained: {
    th: {
      counts: `เรื่องที่ชี้แจงเหตุผลและกำหนดเสร็จใหม่ให้ผู้ร้องเรียนทราบ ${FIRST_PERIOD_TH} แต่ไม่ได้แก้ไขเสร็จภายในกำหนดนั้น (ภายหลังอาจแก้ไขเสร็จแล้วหรือยังไม่เสร็จก็ได้)`,
      over: COHORT_TH,
      by: "วันที่รับเรื่อง ผลตัดสินเมื่อส่งหนังสือชี้แจง",
    },
    en: {
      counts: `Complaints whose complainant was sent the reason and a new expected date ${FIRST_PERIOD_EN}, but that were not resolved by that deadline (they may have been resolved later, or not yet)`,
      over: COHORT_EN,
      by: "date of receipt; decided when the explanation is sent",
    },
  },
  deadline_late: {
    th: { counts: "เรื่องที่ไม่ได้แก้ไข ส่งต่อ หรือชี้แจงภายในกำหนดช่วงแรก", over: COHORT_TH, by: "วันที่รับเรื่อง ผลตัดสินเมื่อพ้นกำหนด" },
    en: {
      counts: "Complaints neither resolved, forwarded nor explained within their first deadline period",
      over: COHORT_EN,
      by: "date of receipt; decided when the deadline passes",
    },
  },
  deadline_undecided: {
    th: { counts: "เรื่องที่ยังไม่ทราบผลของกำหนดช่วงแรก (ยังไม่ถึงกำหนด หรือนาฬิกาพักรอข้อมูลจากผู้ร้องเรียน) ไม่นับในสัดส่วน", over: COHORT_TH, by: RECEIPT_TH },
    en: {
      counts:
        "Complaints whose first-period outcome is not known yet (not yet due, or the clock is paused waiting for the complainant); not in the share",
      over: COHORT_EN,
      by: RECEIPT_EN,
    },
  },
  deadline_percent: {
    th: {
      counts: "ร้อยละของเรื่องที่แก้ไขหรือชี้แจงภายในกำหนด = (แก้ไขภายในกำหนด + ชี้แจงภายในกำหนด) ÷ (แก้ไขภายในกำหนด + ชี้แจงภายในกำหนด + เกินกำหนด) × 100",
      over: `${COHORT_TH} ที่ทราบผลของกำหนดช่วงแรกแล้ว (ว่าง = ยังไม่มีเรื่องที่ทราบผล)`,
      by: "วันที่รับเรื่อง",
    },
    en: {
      counts:
        "Share resolved or explained in time = (resolved in time + explained in time) ÷ (resolved in time + explained in time + late) × 100",
      over: `${COHORT_EN} whose first-period outcome is known (empty = none known yet)`,
      by: "date of receipt",
    },
  },
  ack_on_time: {
    th: {
      counts: "เรื่องที่หนังสือแจ้งตอบรับเรื่อง (ได้รับเรื่อง ระยะเวลา) ถึงผู้ร้องเรียนภายในกำหนด (วันทำการ)",
      over: COHORT_TH,
      by: "วันที่รับเรื่อง ผลตัดสินเมื่อแจ้งตอบรับครั้งแรก",
    },
    en: {
      counts: "Complaints whose written acknowledgement (receipt and timeframe) reached the complainant by its due time (working days)",
      over: COHORT_EN,
      by: "date of receipt; decided by the first acknowledgement",
    },
  },
  ack_late: {
    th: { counts: "เรื่องที่ไม่ได้แจ้งตอบรับภายในกำหนด (แจ้งช้า หรือยังไม่แจ้งเมื่อพ้นกำหนด)", over: COHORT_TH, by: "วันที่รับเรื่อง ผลตัดสินเมื่อพ้นกำหนดแจ้งตอบรับ" },
    en: {
      counts: "Complaints not acknowledged by the due time (acknowledged late, or not at all when it passed)",
      over: COHORT_EN,
      by: "date of receipt; decided when the acknowledgement due time passes",
    },
  },
  ack_undecided: {
    th: { counts: "เรื่องที่ยังไม่แจ้งตอบรับและยังไม่ถึงกำหนดแจ้งตอบรับ ไม่นับในสัดส่วน", over: COHORT_TH, by: RECEIPT_TH },
    en: {
      counts: "Complaints not yet acknowledged whose acknowledgement is not yet due; not in the share",
      over: COHORT_EN,
      by: RECEIPT_EN,
    },
  },
  ack_percent: {
    th: {
      counts: "ร้อยละที่แจ้งตอบรับภายในกำหนด = ภายในกำหนด ÷ (ภายในกำหนด + เกินกำหนด) × 100",
      over: `${COHORT_TH} ที่ทราบผลการแจ้งตอบรับแล้ว (ว่าง = ยังไม่มี)`,
      by: "วันที่รับเรื่อง",
    },
    en: {
      counts: "Share acknowledged on time = on time ÷ (on time + late) × 100",
      over: `${COHORT_EN} whose acknowledgement outcome is known (empty = none yet)`,
      by: "date of receipt",
    },
  },
  closed_cases: {
    th: {
      counts: "จำนวนเรื่องที่แล้วเสร็จ ซึ่งใช้คำนวณค่ามัธยฐานและเปอร์เซ็นไทล์ที่ 90 ของจำนวนวัน",
      over: `${COHORT_TH} ที่แล้วเสร็จแล้ว`,
      by: "วันที่รับเรื่อง (เดือนที่รับเรื่อง)",
    },
    en: {
      counts: "Completed complaints used for the median and 90th percentile of days",
      over: `${COHORT_EN} that are completed`,
      by: "date of receipt (month of receipt)",
    },
  },
  median_days: {
    th: {
      counts: "ค่ามัธยฐาน (ค่ากลางตัวล่างเมื่อจำนวนเป็นคู่) ของจำนวนวันตามปฏิทินนับจากวันที่รับเรื่องถึงวันที่แล้วเสร็จ",
      over: `${COHORT_TH} ที่แล้วเสร็จแล้ว`,
      by: "วันที่รับเรื่อง",
    },
    en: {
      counts: "Median (the lower middle value for an even count) of calendar days from receipt to completion",
      over: `${COHORT_EN} that are completed`,
      by: "date of receipt",
    },
  },
  p90_days: {
    th: { counts: "จำนวนวันตามปฏิทินที่ร้อยละ 90 ของเรื่องแล้วเสร็จภายในนั้น (วิธีลำดับที่ใกล้ที่สุด)", over: `${COHORT_TH} ที่แล้วเสร็จแล้ว`, by: "วันที่รับเรื่อง" },
    en: {
      counts: "Calendar days within which 90% of completed complaints were completed (nearest-rank method)",
      over: `${COHORT_EN} that are completed`,
      by: "date of receipt",
    },
  },
  overdue_now: {
    th: {
      counts: "เรื่องที่ยังไม่แล้วเสร็จและเลยกำหนดแล้ว ณ ขณะนี้ (ไม่นับเรื่องที่พักนาฬิการอข้อมูลจากผู้ร้องเรียน)",
      over: COHORT_TH,
      by: "วันที่รับเรื่อง สถานะ ณ ขณะนี้",
    },
    en: {
      counts: "Complaints still open and past their deadline right now (cases paused waiting for the complainant excluded)",
      over: COHORT_EN,
      by: "date of receipt; state right now",
    },
  },
  answers: {
    th: {
      counts: "จำนวนคำตอบแบบประเมินความพึงพอใจ (คะแนน 1–5) การแก้ไขคำตอบภายใน 30 วันไม่เปลี่ยนวันที่ตอบ",
      over: "คำตอบของผู้ร้องเรียนต่อการจัดการเรื่องของตน (cases) หรือของผู้รับบริการที่ที่ทำการ (counter) ที่ตอบในช่วงเวลานั้น ไม่ว่าเรื่องจะได้รับเมื่อใด",
      by: "วันที่ตอบครั้งแรก (เวลากรุงเทพฯ)",
    },
    en: {
      counts: "Satisfaction answers (score 1–5); changing an answer within 30 days does not change its date",
      over: "answers given in the period by complainants about their own case (cases) or by people served at the counter (counter), whenever the case was received",
      by: "date the answer was first given (Bangkok time)",
    },
  },
  satisfied: {
    th: { counts: "คำตอบระดับ 4 หรือ 5", over: "คำตอบที่ตอบในช่วงเวลานั้น", by: "วันที่ตอบครั้งแรก" },
    en: { counts: "Answers scoring 4 or 5", over: "answers given in the period", by: "date the answer was first given" },
  },
  percent: {
    th: {
      counts: "ร้อยละความพึงพอใจ = คำตอบระดับ 4–5 ÷ คำตอบทั้งหมด × 100 (เป้าหมายตามแผน: ไม่ต่ำกว่าร้อยละ 80 ตัดสินเมื่อมีอย่างน้อย 5 คำตอบ ว่าง = ไม่มีคำตอบ)",
      over: "คำตอบที่ตอบในช่วงเวลานั้น",
      by: "วันที่ตอบครั้งแรก",
    },
    en: {
      counts: "Share satisfied = answers of 4–5 ÷ all answers × 100 (plan target: at least 80, judged from 5 answers; empty = no answers)",
      over: "answers given in the period",
      by: "date the answer was first given",
    },
  },
  corruption_received: {
    th: { counts: "จำนวนเรื่องร้องเรียนการทุจริตและประพฤติมิชอบที่ได้รับ", over: REPORTS_TH, by: "วันที่รับเรื่อง (เวลากรุงเทพฯ)" },
    en: { counts: "Corruption and misconduct reports received", over: REPORTS_EN, by: "date of receipt (Bangkok time)" },
  },
  corruption_completed: {
    th: { counts: "เรื่องที่ดำเนินการแล้วเสร็จ (ได้ข้อยุติ ส่งต่อหน่วยงานอื่น หรือยุติเรื่อง)", over: REPORTS_TH, by: RECEIPT_TH },
    en: { counts: "Reports completed (concluded, referred or closed)", over: REPORTS_EN, by: RECEIPT_EN },
  },
  corruption_in_progress: {
    th: { counts: "เรื่องที่อยู่ระหว่างดำเนินการ (= ได้รับ − แล้วเสร็จ)", over: REPORTS_TH, by: RECEIPT_TH },
    en: { counts: "Reports still in progress (= received − completed)", over: REPORTS_EN, by: RECEIPT_EN },
  },
  cumulative: {
    th: {
      counts: "ยอดสะสมตั้งแต่ 1 ตุลาคมถึงสิ้นเดือนของแถว (ได้รับ / แล้วเสร็จ / อยู่ระหว่างดำเนินการ) ให้เฉพาะเดือนที่สิ้นสุดแล้ว ยอดสะสมหยุดที่เดือนล่าสุดที่สิ้นสุดแล้ว",
      over: "เรื่องร้องเรียนการทุจริตที่ได้รับตั้งแต่ต้นปีงบประมาณ",
      by: "วันที่รับเรื่อง สถานะ ณ วันที่ของไฟล์/หน้า",
    },
    en: {
      counts:
        "Running total from 1 October to the end of the row's month (received / completed / in progress), given only for months that have ended: it stops at the last month that has ended",
      over: "corruption reports received since the start of the fiscal year",
      by: "date of receipt; state as of the page's or file's date",
    },
  },
  outcomes: {
    th: { counts: "เรื่องที่มีผลการพิจารณา: มีมูล ไม่มีมูล หรือส่งต่อหน่วยงานที่มีอำนาจ (เรื่องที่ยังไม่ได้ข้อยุติไม่นับ)", over: REPORTS_TH, by: RECEIPT_TH },
    en: {
      counts:
        "Reports with an outcome: substantiated, unsubstantiated, or referred to the competent agency (reports not yet concluded are not counted)",
      over: REPORTS_EN,
      by: RECEIPT_EN,
    },
  },
  by_kind: {
    th: { counts: "จำนวนเรื่องต่อลักษณะการกระทำผิดที่เจ้าหน้าที่ระบุ (เรื่องหนึ่งอาจมีหลายลักษณะ) เผยแพร่ตามเกณฑ์จำนวนน้อย", over: REPORTS_TH, by: "วันที่รับเรื่อง" },
    en: {
      counts:
        "Reports per kind of wrongdoing recorded by the integrity officer (a report may have several kinds), published under the small-cell rule",
      over: REPORTS_EN,
      by: "date of receipt",
    },
  },
  small_cells: {
    th: {
      counts: `ยอดรวมของเรื่องร้องเรียนการทุจริต (รายเดือน ไตรมาส รอบ 6 เดือน ทั้งปี และผลการพิจารณา) เผยแพร่ตามจริง รวมถึงจำนวน 1–4 ส่วนการแยกตามลักษณะการกระทำผิด (หน้าเว็บและไฟล์ดาวน์โหลด) เผยแพร่เฉพาะเมื่อทุกลักษณะเป็น 0 หรืออย่างน้อย ${SMALL_CELL_MIN} มิฉะนั้นงดเผยแพร่ทั้งตาราง และในตัวชี้วัดตามแผนที่นับทั้งสองช่องทาง ส่วนจากช่องทางทุจริตที่เป็น 1–4 แสดงว่า “น้อยกว่า ${SMALL_CELL_MIN}” และงดแสดงยอดรวมของตัวชี้วัดนั้น`,
      over: "เรื่องร้องเรียนการทุจริตและประพฤติมิชอบ",
      by: "วันที่รับเรื่อง",
    },
    en: {
      counts: `Totals of corruption reports (by month, quarter, six-month round, year, and outcomes) are published as they are, 1–4 included. The breakdown by kind of wrongdoing (page and download) is published only when every kind is 0 or at least ${SMALL_CELL_MIN}; otherwise the whole breakdown is withheld. In plan indicators that count both channels, a corruption-channel part of 1–4 is shown as “fewer than ${SMALL_CELL_MIN}” and the indicator's total is withheld`,
      over: "corruption and misconduct reports",
      by: "date of receipt",
    },
  },
  status: {
    th: {
      counts:
        "สถานะของตัวเลขในแถว: ok = เดือน/ช่วงสิ้นสุดแล้ว ตัวเลขครบ (0 คือไม่มีเรื่อง); current = ยังไม่สิ้นสุด ตัวเลขถึงวันนี้ ไม่มียอดสะสม; not_yet = ยังไม่ถึงช่วงเวลานี้ ไม่มีตัวเลข; no_records_yet = ก่อนระบบมีข้อมูลเรื่องแรก ไม่มีตัวเลข (ไม่ใช่ “ไม่มีเรื่องร้องเรียน”)",
      over: "ทุกแถวรายเดือนหรือรายช่วงของไฟล์และหน้าสถิติ",
      by: "วันนี้ (เวลากรุงเทพฯ) และวันแรกที่ระบบมีข้อมูล (เรื่องร้องทุกข์ เรื่องร้องเรียนการทุจริต หรือคำตอบแบบประเมินที่ที่ทำการ)",
    },
    en: {
      counts:
        "Status of the row's figures: ok = the month or period has ended, figures complete (0 means none); current = still running, figures so far, no running total; not_yet = not reached yet, no figures; no_records_yet = before the portal's first record, no figures (not “no complaints”)",
      over: "every monthly or period row of the statistics pages and files",
      by: "today (Bangkok time) and the first day the portal holds a record (a complaint, a corruption report, or a counter-service answer)",
    },
  },
  provisional: {
    th: {
      counts: "true ตลอดช่วงที่ปีงบประมาณยังไม่สิ้นสุด ในทุกตัวชี้วัด (รวมมาตรการลำดับที่ 13, 23 และ 28): ตัวเลขยังเปลี่ยนได้ false เมื่อปีสิ้นสุดแล้ว",
      over: "ทุกแถวของตารางตัวชี้วัดตามแผน",
      by: "วันนี้ เทียบกับวันสุดท้ายของปีงบประมาณ",
    },
    en: {
      counts:
        "true for every indicator (measures 13, 23 and 28 included) while the fiscal year is running: the figures can still change; false once it has ended",
      over: "every row of the plan scorecard",
      by: "today against the last day of the fiscal year",
    },
  },
  window: {
    th: {
      counts:
        "ช่วงวันที่ที่ใช้เปรียบเทียบ (from–to ของปีนี้ และ previous_from–previous_to ของปีก่อน): ปีที่สิ้นสุดแล้วใช้ทั้งปี ปีที่ยังไม่สิ้นสุดใช้เฉพาะเดือนที่ครบแล้วเทียบกับเดือนเดียวกันของปีก่อน",
      over: "ทุกแถวของตารางตัวชี้วัดตามแผน",
      by: "วันที่รับเรื่อง (ความพึงพอใจ: วันที่ตอบ)",
    },
    en: {
      counts:
        "The days compared (from–to this year, previous_from–previous_to last year): a year that has ended is compared whole; a running year over its whole months that have ended, against the same months a year earlier",
      over: "every row of the plan scorecard",
      by: "date of receipt (satisfaction: date of the answer)",
    },
  },
} satisfies Record<string, StatDefinition>;

export type StatDefinitionKey = keyof typeof STAT_DEFINITIONS;
export const STAT_DEFINITION_KEYS = Object.keys(STAT_DEFINITIONS) as StatDefinitionKey[];

const LABELS = {
  th: { over: "นับจาก", by: "ตามวันที่" },
  en: { over: "Over", by: "By" },
} as const;

/** The one-line text of a definition: "<counts>. Over: <over>. By: <by>." (Thai: "<counts> — นับจาก: … — ตามวันที่: …"). */
export function definitionText(key: StatDefinitionKey, lang: "th" | "en"): string {
  const d = STAT_DEFINITIONS[key][lang];
  if (lang === "th") return `${d.counts} — ${LABELS.th.over}: ${d.over} — ${LABELS.th.by}: ${d.by}`;
  return `${d.counts}. ${LABELS.en.over}: ${d.over}. ${LABELS.en.by}: ${d.by}.`;
}

/** The `definitions` object of the statreport locale for a language (written by scripts/stat-definitions.ts). */
export function definitionLocale(lang: "th" | "en"): Record<StatDefinitionKey, string> {
  return Object.fromEntries(STAT_DEFINITION_KEYS.map((k) => [k, definitionText(k, lang)])) as Record<StatDefinitionKey, string>;
}

/**
 * Which definition describes an open-data column: per table first, then per column key (columns without one — names,
 * codes, labels — are described by their own `data.columns.<key>.description`).
 */
export const COLUMN_DEFINITIONS: {
  byTable: Record<string, Record<string, StatDefinitionKey>>;
  byColumn: Record<string, StatDefinitionKey>;
} = {
  byTable: {
    "corruption-by-month": { received: "corruption_received", completed: "corruption_completed", in_progress: "corruption_in_progress" },
    "corruption-by-kind": { received: "by_kind" },
    "corruption-outcomes": { cases: "outcomes" },
  },
  byColumn: {
    received: "received",
    completed: "completed",
    in_progress: "in_progress",
    resolved: "resolved",
    forwarded: "forwarded",
    deadline_resolved: "deadline_resolved",
    deadline_explained: "deadline_explained",
    deadline_late: "deadline_late",
    deadline_undecided: "deadline_undecided",
    deadline_percent: "deadline_percent",
    ack_on_time: "ack_on_time",
    ack_late: "ack_late",
    ack_undecided: "ack_undecided",
    ack_percent: "ack_percent",
    closed_cases: "closed_cases",
    median_days: "median_days",
    p90_days: "p90_days",
    overdue_now: "overdue_now",
    answers: "answers",
    satisfied: "satisfied",
    percent: "percent",
    cumulative_received: "cumulative",
    cumulative_completed: "cumulative",
    cumulative_in_progress: "cumulative",
    status: "status",
    provisional: "provisional",
    previous_from: "window",
    previous_to: "window",
    suppressed: "small_cells",
    corruption_suppressed: "small_cells",
  },
};

export function columnDefinition(table: string, column: string): StatDefinitionKey | null {
  return COLUMN_DEFINITIONS.byTable[table]?.[column] ?? COLUMN_DEFINITIONS.byColumn[column] ?? null;
}

/** Plan-scorecard rows whose "how it is computed" is a definition (shown instead of the target's own text). */
export const TARGET_DEFINITIONS: Record<string, StatDefinitionKey> = {
  m20_satisfaction: "percent",
  m23_satisfaction: "percent",
  m23_deadline: "deadline_percent",
  m23_ack: "ack_percent",
};

/** Definitions each public page shows, in order (checked by tests/integration/stat-definitions.test.ts). */
export const PAGE_DEFINITIONS: Record<"/stats" | "/stats/corruption" | "/stats/targets", readonly StatDefinitionKey[]> = {
  "/stats": [
    "status",
    "received",
    "completed",
    "in_progress",
    "deadline_percent",
    "deadline_explained",
    "ack_percent",
    "median_days",
    "overdue_now",
    "answers",
    "percent",
  ],
  "/stats/corruption": [
    "status",
    "corruption_received",
    "corruption_completed",
    "corruption_in_progress",
    "cumulative",
    "outcomes",
    "by_kind",
    "small_cells",
  ],
  "/stats/targets": ["provisional", "window", "deadline_percent", "ack_percent", "percent"],
};

export const README_MARKERS = {
  start: "<!-- stat-definitions:start (generated from app/lib/stat-definitions.ts by npm run stats:definitions) -->",
  end: "<!-- stat-definitions:end -->",
};

/** The README block (English, with the Thai in the locale): one bullet per definition. */
export function readmeBlock(): string {
  const lines = [README_MARKERS.start, "", "| statistic | what is counted | over which cases | by which date |", "|---|---|---|---|"];
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  for (const k of STAT_DEFINITION_KEYS) {
    const d = STAT_DEFINITIONS[k].en;
    lines.push(`| \`${k}\` | ${cell(d.counts)} | ${cell(d.over)} | ${cell(d.by)} |`);
  }
  lines.push("", README_MARKERS.end);
  return lines.join("\n");
}

/** README text with its block replaced by the generated one (throws when the markers are missing). */
export function withReadmeBlock(readme: string): string {
  const a = readme.indexOf(README_MARKERS.start);
  const b = readme.indexOf(README_MARKERS.end);
  if (a < 0 || b < a) throw new Error("README.md has no stat-definitions block");
  return readme.slice(0, a) + readmeBlock() + readme.slice(b + README_MARKERS.end.length);
}
