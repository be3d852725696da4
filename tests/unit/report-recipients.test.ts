/**
 * Who receives a corruption report (app/models/report/recipients.server.ts, decideRecipients): the integrity officers
 * minus the people the reporter excluded or whose name appears in the report; the alternate recipient as well when an
 * officer was excluded; only the alternate when asked; nobody when everyone is excluded. Pure rules, no database.
 */
import { describe, expect, it } from "vitest";
import type { ReportFields } from "~/models/report/shared.server";

const { decideRecipients, reportTexts } = await import("~/models/report/recipients.server");
type Candidate = Parameters<typeof decideRecipients>[0][number];

const person = (id: number, name: string, nicknames: string[] = [], alternate = false): Candidate => ({
  id,
  name,
  position: "",
  nicknames,
  publicKey: Buffer.alloc(32, id),
  alternate,
});

const SOMCHAI = person(1, "นายสมชาย ใจดี", ["ต้อม"]);
const WIPA = person(2, "นางสาววิภา ศรีสุข", ["เอ"]);
const KITTI = person(3, "กิตติ มั่นคง");
const ALT = person(9, "นางประภา ตรวจสอบดี", [], true);
const ALL = [SOMCHAI, WIPA, KITTI, ALT];
const OFFICERS = [SOMCHAI, WIPA, KITTI];

const plain: ReportFields = { whatHappened: "มีการเรียกรับเงินจากผู้รับเหมาเพื่อให้ผ่านการตรวจรับงาน", involvedPosition: "เจ้าหน้าที่พัสดุ" };
const ids = (list: readonly { id: number }[]) => list.map((c) => c.id);

describe("decideRecipients", () => {
  it("sends to every integrity officer (not the alternate) when nobody is excluded", () => {
    const d = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [] }, plain);
    expect(ids(d.recipients)).toEqual([1, 2, 3]);
    expect(d.excluded).toEqual([]);
    expect(d.listSize).toBe(4);
  });

  it("leaves out the officers the reporter excluded, and then adds the alternate", () => {
    const d = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [2] }, plain);
    expect(ids(d.recipients)).toEqual([1, 3, 9]);
    expect(d.excluded).toEqual([{ id: 2, reason: "reporter" }]);
    expect(d.listSize).toBe(4);
    const two = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [1, 3] }, plain);
    expect(ids(two.recipients)).toEqual([2, 9]);
    expect(two.excluded).toEqual([
      { id: 1, reason: "reporter" },
      { id: 3, reason: "reporter" },
    ]);
  });

  it("ignores excluded ids that are not on the list", () => {
    const d = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [42, -1] }, plain);
    expect(ids(d.recipients)).toEqual([1, 2, 3]);
    expect(d.excluded).toEqual([]);
  });

  it("sends only to the alternate when the reporter asks for the alternate", () => {
    const d = decideRecipients(ALL, { requested: "alternate", excludedByReporter: [] }, plain);
    expect(ids(d.recipients)).toEqual([9]);
    expect(d.listSize).toBe(4);
    // Also when officers are excluded as well.
    const e = decideRecipients(ALL, { requested: "alternate", excludedByReporter: [1] }, plain);
    expect(ids(e.recipients)).toEqual([9]);
    expect(e.excluded).toEqual([{ id: 1, reason: "reporter" }]);
  });

  it("sends to the officers when the alternate is excluded (asked for or not)", () => {
    const asked = decideRecipients(ALL, { requested: "alternate", excludedByReporter: [9] }, plain);
    expect(ids(asked.recipients)).toEqual([1, 2, 3]);
    expect(asked.excluded).toEqual([{ id: 9, reason: "reporter" }]);
    const notAsked = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [9] }, plain);
    expect(ids(notAsked.recipients)).toEqual([1, 2, 3]);
    // The alternate and an officer excluded: the other officers only.
    const both = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [9, 2] }, plain);
    expect(ids(both.recipients)).toEqual([1, 3]);
  });

  it("without an alternate, an excluded officer only leaves the others", () => {
    const d = decideRecipients(OFFICERS, { requested: "integrity", excludedByReporter: [1] }, plain);
    expect(ids(d.recipients)).toEqual([2, 3]);
    expect(d.listSize).toBe(3);
    // Asking for an alternate that does not exist sends to the officers.
    expect(ids(decideRecipients(OFFICERS, { requested: "alternate", excludedByReporter: [] }, plain).recipients)).toEqual([1, 2, 3]);
  });

  it("treats a person named in the text (with a title, a nickname, anywhere) as excluded, reason 'named'", () => {
    const cases: [Partial<ReportFields>, number][] = [
      [{ involvedName: "นาย สมชาย  ใจดี" }, 1],
      [{ involvedName: "คุณสมชาย" }, 1],
      [{ whatHappened: "พี่ต้อมเป็นคนรับเงินจากผู้รับเหมาไปเมื่อวาน" }, 1],
      [{ whatHappened: "ผู้รับเหมาโอนเงินให้ นางสาววิภา ศรีสุข ทุกเดือน" }, 2],
      [{ howKnown: "น้องเอ เล่าให้ฟังในห้องประชุม" }, 2],
      [{ where: "ห้องทำงานของ ศรีสุข" }, 2],
      [{ reportedElsewhere: "เคยแจ้ง กิตติ แล้วแต่เงียบ" }, 3],
      [{ involvedDivision: "กองคลัง (มั่นคง)" }, 3],
    ];
    for (const [over, named] of cases) {
      const d = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [] }, { ...plain, ...over });
      expect(d.excluded, JSON.stringify(over)).toEqual([{ id: named, reason: "named" }]);
      expect(ids(d.recipients), JSON.stringify(over)).toEqual([...[1, 2, 3].filter((i) => i !== named), 9]);
      expect(d.listSize).toBe(4);
    }
  });

  it("reports who was named; a named person the reporter deliberately kept (namesConfirmed) receives it, with the alternate", () => {
    const fields = { ...plain, whatHappened: "พี่ต้อมเป็นคนรับเงินจากผู้รับเหมาไปเมื่อวาน" };
    const auto = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [] }, fields);
    expect(auto.named).toEqual([1]);
    expect(ids(auto.recipients)).toEqual([2, 3, 9]);
    const kept = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [], namesConfirmed: true }, fields);
    expect(kept.named).toEqual([1]);
    expect(kept.excluded).toEqual([]);
    expect(ids(kept.recipients)).toEqual([1, 2, 3, 9]);
    // Confirmed and ticked: excluded, reason 'reporter'.
    const ticked = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [1], namesConfirmed: true }, fields);
    expect(ticked.excluded).toEqual([{ id: 1, reason: "reporter" }]);
    expect(ids(ticked.recipients)).toEqual([2, 3, 9]);
  });

  it("a named alternate is excluded like anyone else (the officers receive it)", () => {
    const d = decideRecipients(ALL, { requested: "alternate", excludedByReporter: [] }, { ...plain, involvedName: "นางประภา ตรวจสอบดี" });
    expect(d.excluded).toEqual([{ id: 9, reason: "named" }]);
    expect(ids(d.recipients)).toEqual([1, 2, 3]);
  });

  it("says 'reporter' for someone both excluded by the reporter and named", () => {
    const d = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [1] }, { ...plain, involvedName: "สมชาย ใจดี" });
    expect(d.excluded).toEqual([{ id: 1, reason: "reporter" }]);
    expect(ids(d.recipients)).toEqual([2, 3, 9]);
  });

  it("leaves nobody when everyone is excluded (by the reporter, by name, or both)", () => {
    const byReporter = decideRecipients(ALL, { requested: "integrity", excludedByReporter: [1, 2, 3, 9] }, plain);
    expect(byReporter.recipients).toEqual([]);
    expect(ids(byReporter.excluded)).toEqual([1, 2, 3, 9]);
    expect(byReporter.listSize).toBe(4);
    const mixed = decideRecipients(
      ALL,
      { requested: "alternate", excludedByReporter: [9, 3] },
      { ...plain, whatHappened: "สมชาย ใจดี กับ วิภา ศรีสุข แบ่งเงินกัน" },
    );
    expect(mixed.recipients).toEqual([]);
    expect(mixed.excluded).toEqual([
      { id: 1, reason: "named" },
      { id: 2, reason: "named" },
      { id: 3, reason: "reporter" },
      { id: 9, reason: "reporter" },
    ]);
    expect(mixed.listSize).toBe(4);
    // Nobody on the list at all.
    expect(decideRecipients([], { requested: "integrity", excludedByReporter: [] }, plain)).toMatchObject({
      recipients: [],
      excluded: [],
      listSize: 0,
    });
  });

  it("listSize is always the number of candidates", () => {
    for (const list of [ALL, OFFICERS, [ALT], [SOMCHAI, ALT]]) {
      for (const excludedByReporter of [[], [1], [9], [1, 2, 3, 9]]) {
        for (const requested of ["integrity", "alternate"] as const) {
          expect(decideRecipients(list, { requested, excludedByReporter }, plain).listSize).toBe(list.length);
        }
      }
    }
  });

  it("searches every text field except the reporter's own identity", () => {
    const texts = reportTexts({
      involvedName: "a",
      involvedPosition: "b",
      involvedDivision: "c",
      whatHappened: "d",
      when: "e",
      where: "f",
      howKnown: "g",
      reportedElsewhere: "h",
      reporterName: "i",
      reporterContact: "j",
    });
    expect(texts).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);
  });
});
