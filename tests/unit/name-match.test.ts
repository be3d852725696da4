/** Name matching that keeps a corruption report away from the integrity officers it names. */
import { describe, expect, it } from "vitest";
import {
  NAME_TITLES,
  NICKNAME_CUES,
  findNamedCandidates,
  normalizeForNameMatch,
  splitPersonName,
  type NameCandidate,
} from "~/lib/name-match";

const SOMCHAI: NameCandidate = { id: 1, name: "นายสมชาย ใจดี", nicknames: ["ต้อม"] };
const SOMSRI: NameCandidate = { id: 2, name: "นางสาวสมศรี มีสุขสันต์", nicknames: ["เอ"] };
const PRASERT: NameCandidate = { id: 3, name: "พ.ต.ท.ดร.ประเสริฐ ศรีสวัสดิ์" };
const JOHN: NameCandidate = { id: 4, name: "Mr. John Smith", nicknames: ["Jack"] };
const ANN: NameCandidate = { id: 5, name: "Ann Lee" };
const KORN: NameCandidate = { id: 6, name: "นายกร ศรีสุข" };
const ALL = [SOMCHAI, SOMSRI, PRASERT, JOHN, ANN, KORN];

const ids = (texts: string[], candidates: readonly NameCandidate[] = ALL) => findNamedCandidates(texts, candidates).map((m) => m.id);

describe("normalizeForNameMatch", () => {
  it("applies NFKC, lower case, and collapses spaces", () => {
    expect(normalizeForNameMatch("  ＪＯＨＮ   Smith \n\t ")).toBe("john smith");
  });

  it("removes zero-width characters and the soft hyphen", () => {
    expect(normalizeForNameMatch("สม\u200Bชาย\u200C ใจ\u200Dดี\uFEFF Jo\u00ADhn")).toBe("สมชาย ใจดี john");
  });

  it("treats punctuation as spaces", () => {
    expect(normalizeForNameMatch(`น.ส.สมศรี-มีสุข_(ต้อม)/"เอ"'`)).toBe("น ส สมศรี มีสุข ต้อม เอ");
  });

  it("unifies the decomposed sara am (and the NFKC decomposition of ำ) to ำ", () => {
    const composed = normalizeForNameMatch("คำแก้ว น้ำใจ");
    expect(composed).toBe("คำแก้ว น้ำใจ");
    expect(normalizeForNameMatch("ค\u0E4D\u0E32แก้ว น\u0E4D\u0E49\u0E32ใจ")).toBe(composed);
    expect(normalizeForNameMatch("ค\u0E4D\u0E32แก้ว น\u0E49\u0E4D\u0E32ใจ")).toBe(composed);
  });

  it("unifies other Thai typing variants: เเ for แ, tone mark before the vowel, doubled marks", () => {
    expect(normalizeForNameMatch("เเดง")).toBe("แดง");
    expect(normalizeForNameMatch("ท\u0E48\u0E35")).toBe("ที่");
    expect(normalizeForNameMatch("ต\u0E49\u0E49อม")).toBe("ต้อม");
  });

  it("separates Thai from Latin letters so that Latin words keep their boundaries", () => {
    expect(normalizeForNameMatch("คุณJohnรับเงิน")).toBe("คุณ john รับเงิน");
  });

  it("drops Latin accents", () => {
    expect(normalizeForNameMatch("José")).toBe("jose");
  });
});

describe("splitPersonName", () => {
  it.each([
    ["นายสมชาย ใจดี", "สมชาย", "ใจดี"],
    ["นาย สมชาย  ใจดี", "สมชาย", "ใจดี"],
    ["นางสาวสมศรี มีสุข", "สมศรี", "มีสุข"],
    ["น.ส.สมศรี มีสุข", "สมศรี", "มีสุข"],
    ["นส. สมศรี มีสุข", "สมศรี", "มีสุข"],
    ["คุณสมศรี มีสุข", "สมศรี", "มีสุข"],
    ["ว่าที่ร้อยตรีสมหมาย รักดี", "สมหมาย", "รักดี"],
    ["ว่าที่ ร.ต.สมหมาย รักดี", "สมหมาย", "รักดี"],
    ["ว่าที่ร.ต. สมหมาย รักดี", "สมหมาย", "รักดี"],
    ["จ.ส.อ.มานะ อดทน", "มานะ", "อดทน"],
    ["ส.อ. มานะ อดทน", "มานะ", "อดทน"],
    ["พ.ต.ท.ดร.ประเสริฐ ศรีสวัสดิ์", "ประเสริฐ", "ศรีสวัสดิ์"],
    ["พ.ต.อ. ประเสริฐ ศรีสวัสดิ์", "ประเสริฐ", "ศรีสวัสดิ์"],
    ["ร.ต.อ.ประเสริฐ ศรีสวัสดิ์", "ประเสริฐ", "ศรีสวัสดิ์"],
    ["ผศ.ดร.วิไล ใจงาม", "วิไล", "ใจงาม"],
    ["รศ. วิไล ใจงาม", "วิไล", "ใจงาม"],
    ["ศ.วิไล ใจงาม", "วิไล", "ใจงาม"],
    ["ปลัด สมชาย ใจดี", "สมชาย", "ใจดี"],
    ["ผอ.สมชาย ใจดี", "สมชาย", "ใจดี"],
    ["ผู้อำนวยการสมชาย ใจดี", "สมชาย", "ใจดี"],
    ["สมชาย ใจดี ปลัด อบต.", "สมชาย", "ใจดี"],
    ["สมชาย ใจดี (ต้อม)", "สมชาย", "ใจดี"],
    ["สมชาย ณ อยุธยา", "สมชาย", "ณ อยุธยา"],
    ["Mr. John Smith", "john", "smith"],
    ["mr john smith", "john", "smith"],
    ["Dr John Smith", "john", "smith"],
    ["Dr.John Smith", "john", "smith"],
    ["Mrs Jane Doe", "jane", "doe"],
    ["Ms. Jane Doe", "jane", "doe"],
    ["Miss Jane Doe", "jane", "doe"],
    ["สมชาย", "สมชาย", ""],
  ])("%s → %s / %s", (name, given, surname) => {
    expect(splitPersonName(name)).toEqual({ given, surname });
  });

  it("does not cut a title off a given name that only starts like one", () => {
    expect(splitPersonName("นายกร ศรีสุข")).toEqual({ given: "กร", surname: "ศรีสุข" });
    expect(splitPersonName("นพดล ใจงาม").given).toBe("นพดล"); // นพ. is an abbreviation: only removed as its own word
    expect(splitPersonName("ดรุณี ใจงาม").given).toBe("ดรุณี");
    expect(splitPersonName("สอาด ใจงาม").given).toBe("สอาด");
    expect(splitPersonName("คุณากร ใจงาม").given).toBe("คุณากร");
    expect(splitPersonName("Drew Barry").given).toBe("drew");
    expect(splitPersonName("Missy Elliott").given).toBe("missy");
  });

  it("treats a name made only of titles and positions as no name", () => {
    expect(splitPersonName("ปลัด อบต.")).toEqual({ given: "", surname: "" });
    expect(splitPersonName("")).toEqual({ given: "", surname: "" });
  });

  it("lists the titles in one constant, including those required", () => {
    for (const t of ["นาย", "นาง", "นางสาว", "น.ส.", "คุณ", "ดร.", "ผศ.", "รศ.", "ศ.", "ว่าที่ร้อยตรี", "ว่าที่ ร.ต."])
      expect(NAME_TITLES).toContain(t);
    for (const t of ["จ.ส.อ.", "ส.อ.", "พ.ต.ท.", "พ.ต.อ.", "ร.ต.อ.", "Mr", "Mrs", "Ms", "Miss", "Dr"]) expect(NAME_TITLES).toContain(t);
    for (const c of ["พี่", "น้อง", "คุณ", "เจ๊", "ป้า", "ลุง", "น้า", "อา", "ไอ้", "อี", "นาย", "ชื่อเล่น"]) expect(NICKNAME_CUES).toContain(c);
  });
});

describe("findNamedCandidates", () => {
  it("finds a full name with a title inside a sentence", () => {
    const text = "เมื่อวันที่ 3 มีนาคม 2567 นายสมชาย ใจดี ได้เรียกรับเงินจากผู้รับเหมาจำนวน 50,000 บาท เพื่อให้ผ่านการตรวจรับงาน";
    expect(findNamedCandidates([text], ALL)).toEqual([{ id: 1, strength: "full", matched: "สมชาย ใจดี" }]);
  });

  it("finds the full name whatever the title in the text or the candidate", () => {
    expect(findNamedCandidates(["พ.ต.ท. ประเสริฐ ศรีสวัสดิ์ สั่งให้แก้เอกสาร"], ALL)).toEqual([
      { id: 3, strength: "full", matched: "ประเสริฐ ศรีสวัสดิ์" },
    ]);
    expect(findNamedCandidates(["ว่าที่ ร.ต. ดร.ประเสริฐ ศรีสวัสดิ์"], [PRASERT])[0].strength).toBe("full");
  });

  it("finds a surname alone", () => {
    expect(findNamedCandidates(["ได้ยินมาว่าคนตระกูลศรีสวัสดิ์เป็นคนอนุมัติ"], ALL)).toEqual([{ id: 3, strength: "surname", matched: "ศรีสวัสดิ์" }]);
  });

  it("does not match a surname shorter than 3 characters", () => {
    const c: NameCandidate = { id: 9, name: "สมหญิง ดี" };
    expect(ids(["บริการดีมาก"], [c])).toEqual([]);
  });

  it("finds a given name alone", () => {
    expect(findNamedCandidates(["สมศรีเป็นคนเซ็นใบตรวจรับ"], ALL)).toEqual([{ id: 2, strength: "given", matched: "สมศรี" }]);
  });

  it("finds a 2-character given name only after a cue or standing alone", () => {
    expect(findNamedCandidates(["ขอให้คุณกร รับผิดชอบ"], [KORN])).toEqual([{ id: 6, strength: "given", matched: "กร" }]);
    expect(ids(["กร"], [KORN])).toEqual([6]);
    expect(ids(["เจ้าหน้าที่กรอกข้อมูลผิด"], [KORN])).toEqual([]);
    // "คุณกรุณา": กร is followed by a vowel mark, so it is a different syllable
    expect(ids(["ขอให้คุณกรุณาตรวจสอบ"], [KORN])).toEqual([]);
  });

  it("finds a nickname after a cue", () => {
    expect(findNamedCandidates(["พี่ต้อมเป็นคนรับซองไป"], ALL)).toEqual([{ id: 1, strength: "nickname", matched: "ต้อม" }]);
    expect(findNamedCandidates(["น้องเอในกองคลังบอกว่าให้โอนเงินเข้าบัญชีส่วนตัว"], ALL)).toEqual([{ id: 2, strength: "nickname", matched: "เอ" }]);
    expect(ids(["ชื่อเล่นว่าเอ อยู่กองคลัง"])).toEqual([2]);
    expect(ids(["เจ๊เอ"])).toEqual([2]);
  });

  it("finds a nickname standing alone as the whole involved-name field", () => {
    expect(findNamedCandidates(["เอ", "เจ้าหน้าที่การเงิน", "กองคลัง"], ALL)).toEqual([{ id: 2, strength: "nickname", matched: "เอ" }]);
    expect(ids(["  เอ  "])).toEqual([2]);
    expect(ids(["คุณ เอ"])).toEqual([2]);
  });

  it("does not match a 2-character nickname inside a paragraph without a cue, but matches a 3+ character one", () => {
    const paragraph = "ผู้รับเหมานำเอกสารมาให้ลงนาม แล้วเอาเงินใส่ซองไว้ใต้โต๊ะ ทะเลเอเชีย ไม่มีใครเห็นนอกจากคนในห้อง";
    expect(ids([paragraph])).toEqual([]);
    expect(findNamedCandidates([`${paragraph} ต้อมรับซองไปเอง`], ALL)).toEqual([{ id: 1, strength: "nickname", matched: "ต้อม" }]);
  });

  it("finds a name with zero-width spaces inside", () => {
    expect(findNamedCandidates(["นายสม\u200Bชาย ใจ\u200Bดี\u200B รับเงิน"], ALL)).toEqual([{ id: 1, strength: "full", matched: "สมชาย ใจดี" }]);
  });

  it("finds a name split by a line break, or with a space inside the given name", () => {
    expect(findNamedCandidates(["ผู้ที่เกี่ยวข้องคือ นายสมชาย\nใจดี ตำแหน่งปลัด"], ALL)[0]).toEqual({
      id: 1,
      strength: "full",
      matched: "สมชาย ใจดี",
    });
    expect(findNamedCandidates(["สม ชาย ใจดี"], ALL)[0].strength).toBe("full");
    expect(findNamedCandidates(["สม ชาย"], ALL)[0]).toEqual({ id: 1, strength: "given", matched: "สมชาย" });
  });

  it("finds a name typed with the decomposed sara am", () => {
    const c: NameCandidate = { id: 7, name: "นางคำแก้ว น้ำใจดี" };
    expect(findNamedCandidates(["นางค\u0E4D\u0E32แก้ว น\u0E4D\u0E49\u0E32ใจดี"], [c])).toEqual([
      { id: 7, strength: "full", matched: "คำแก้ว น้ำใจดี" },
    ]);
  });

  it("finds names typed into any field, long paragraphs included", () => {
    const fields = ["", "หัวหน้าส่วนโยธา", "กองช่าง", "ช่วงปลายปี", "ที่ทำการ อบต.", "เห็นเอง", "เคยแจ้งศรีสุขไปแล้ว"];
    expect(findNamedCandidates(fields, ALL)).toEqual([{ id: 6, strength: "surname", matched: "ศรีสุข" }]);
  });

  it("finds a Latin name with Mr. on word boundaries, case-insensitively", () => {
    expect(findNamedCandidates(["I saw Mr. JOHN SMITH take the envelope."], ALL)).toEqual([
      { id: 4, strength: "full", matched: "john smith" },
    ]);
    expect(findNamedCandidates(["ผู้ที่รับเงินคือ Mr.Smith"], ALL)).toEqual([{ id: 4, strength: "surname", matched: "smith" }]);
    expect(findNamedCandidates(["Smith, John"], ALL)[0].strength).toBe("full");
    expect(findNamedCandidates(["คุณJohnรับซอง"], ALL)).toEqual([{ id: 4, strength: "given", matched: "john" }]);
    expect(findNamedCandidates(["ask jack"], ALL)).toEqual([{ id: 4, strength: "nickname", matched: "jack" }]);
  });

  it("does not match a Latin name inside another word", () => {
    expect(ids(["Annabel planned the annual Leeds trip with Johnson and the Smithsonian; hijacked"])).toEqual([]);
    expect(ids(["Ann said so"])).toEqual([5]);
  });

  it("reports each candidate once, with the strongest match, in candidate order", () => {
    const texts = ["ต้อม", "นายสมชาย ใจดี กับพี่ต้อม", "ใจดีมาก สมชายก็ด้วย", "คุณสมศรี"];
    expect(findNamedCandidates(texts, ALL)).toEqual([
      { id: 1, strength: "full", matched: "สมชาย ใจดี" },
      { id: 2, strength: "given", matched: "สมศรี" },
    ]);
    expect(findNamedCandidates(["ใจดี", "พี่ต้อม"], ALL)).toEqual([{ id: 1, strength: "surname", matched: "ใจดี" }]);
    const twice = [SOMCHAI, { id: 1, name: "สมชาย ใจดี" }];
    expect(findNamedCandidates(["สมชาย ใจดี"], twice)).toEqual([{ id: 1, strength: "full", matched: "สมชาย ใจดี" }]);
  });

  it("matches nothing in empty texts", () => {
    expect(findNamedCandidates([], ALL)).toEqual([]);
    expect(findNamedCandidates([""], ALL)).toEqual([]);
    expect(findNamedCandidates(["", "   ", "\u200B", "-"], ALL)).toEqual([]);
    expect(findNamedCandidates(["สมชาย ใจดี"], [])).toEqual([]);
  });

  it("does not treat titles or positions as names", () => {
    const positionOnly: NameCandidate = { id: 8, name: "ปลัด อบต.", nicknames: ["คุณ", "นาย"] };
    expect(ids(["ปลัด อบต. รับเงิน คุณ นาย"], [positionOnly])).toEqual([]);
    expect(ids(["นายสมหมาย เป็นคนทำ"], ALL)).toEqual([]);
  });

  it("uses what is written in brackets in the candidate's name as a nickname or another spelling of the name", () => {
    const c: NameCandidate = { id: 10, name: "นางสาววิไล ใจงาม (ปุ๊ก)" };
    expect(findNamedCandidates(["พี่ปุ๊กบอกให้เซ็น"], [c])).toEqual([{ id: 10, strength: "nickname", matched: "ปุ๊ก" }]);
    const latin: NameCandidate = { id: 11, name: "สมชาย ใจดี (Somchai Jaidee)" };
    expect(findNamedCandidates(["Somchai took it"], [latin])).toEqual([{ id: 11, strength: "given", matched: "somchai" }]);
  });

  it("ignores titles and positions written in brackets or as nicknames", () => {
    const c: NameCandidate = { id: 12, name: "สมชาย ใจดี (ปลัด อบต.)", nicknames: ["คุณต้อม", "ผอ.", ""] };
    expect(ids(["ปลัด อบต. รับเงิน ผอ.รู้เห็น"], [c])).toEqual([]);
    expect(findNamedCandidates(["ต้อมรับเงิน"], [c])).toEqual([{ id: 12, strength: "nickname", matched: "ต้อม" }]);
  });

  it("handles a long text with many candidates", () => {
    const filler = "ผู้รับเหมาได้นำเอกสารการเบิกจ่ายมาให้ตรวจรับ โดยไม่มีการตรวจสอบหน้างานจริง ";
    let text = "";
    while (text.length < 10_000) text += filler;
    text += "\nผู้สั่งการคือ ร.ต.อ.ประเสริฐ\nศรีสวัสดิ์ และน้องเอ";
    const candidates: NameCandidate[] = [...ALL];
    for (let i = 0; i < 14; i++) candidates.push({ id: 100 + i, name: `นายทดสอบ${i} นามสกุลที่${i}`, nicknames: ["โอ๋"] });
    expect(candidates).toHaveLength(20);
    expect(text.length).toBeGreaterThan(10_000);
    expect(findNamedCandidates([text, "", "กองช่าง"], candidates)).toEqual([
      { id: 2, strength: "nickname", matched: "เอ" },
      { id: 3, strength: "full", matched: "ประเสริฐ ศรีสวัสดิ์" },
    ]);
  });
});

describe("words with digits", () => {
  it("are never name parts: a code added to an account's name matches nothing", () => {
    expect(splitPersonName("สมหมาย ตรวจสอบ 4f2a9c1b")).toEqual(splitPersonName("สมหมาย ตรวจสอบ"));
    expect(findNamedCandidates(["เรื่องที่ 4f2a9c1b ของหมู่ 3"], [{ id: 1, name: "เจ้าหน้าที่ 4f2a9c1b" }])).toEqual([]);
  });
});
