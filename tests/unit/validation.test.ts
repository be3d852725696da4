import { describe, expect, it } from "vitest";
import { LIMITS, cleanText, fieldErrors, normalizeThaiPhone } from "~/lib/validation";
import { caseNoteSchema, complaintFormSchema, safeText, staffLoginSchema, type ComplaintInput } from "~/lib/validation.server";

const schema = complaintFormSchema({ categoryCodes: ["road", "light", "waste"], villageNumbers: [1, 2, 3, 10] });

const base = {
  category: "road",
  subject: "ถนนชำรุด",
  details: "หลุมบ่อหน้าวัด\r\nอันตรายมาก",
  village: "3",
  landmark: "",
  latitude: "",
  longitude: "",
  contactName: "",
  contactPhone: "",
  contactEmail: "",
  contactAddress: "",
  preferredContact: "",
};

/** Parses and returns field errors (empty object when valid). */
function errorsOf(input: Record<string, unknown>): Record<string, string> {
  const r = schema.safeParse(input);
  return r.success ? {} : fieldErrors(r.error);
}

describe("cleanText", () => {
  it("normalises NFC, CRLF and trims", () => {
    expect(cleanText("  a\r\nb\rc  ")).toBe("a\nb\nc");
    expect(cleanText("e\u0301")).toBe("\u00e9");
  });
});

describe("complaintFormSchema: valid input", () => {
  it("parses the minimal form", () => {
    const r = schema.safeParse(base);
    expect(r.success).toBe(true);
    const data = r.data as ComplaintInput;
    expect(data).toEqual({
      category: "road",
      subject: "ถนนชำรุด",
      details: "หลุมบ่อหน้าวัด\nอันตรายมาก",
      village: 3,
      landmark: undefined,
      latitude: undefined,
      longitude: undefined,
      contactName: undefined,
      contactPhone: undefined,
      contactEmail: undefined,
      contactAddress: undefined,
      preferredContact: "none",
    });
  });

  it("parses a full form and normalises contacts", () => {
    const r = schema.parse({
      ...base,
      village: "๑๐",
      landmark: " ตรงข้ามโรงเรียน ",
      latitude: "13.7563",
      longitude: "100.5018",
      contactName: "สมชาย ใจดี",
      contactPhone: "+66 81-234-5678",
      contactEmail: "  Somchai@Example.CO.TH ",
      contactAddress: "99 หมู่ 3",
      preferredContact: "email",
      unknownField: "ignored",
    });
    expect(r).toEqual({
      category: "road",
      subject: "ถนนชำรุด",
      details: "หลุมบ่อหน้าวัด\nอันตรายมาก",
      village: 10,
      landmark: "ตรงข้ามโรงเรียน",
      latitude: 13.7563,
      longitude: 100.5018,
      contactName: "สมชาย ใจดี",
      contactPhone: "0812345678",
      contactEmail: "somchai@example.co.th",
      contactAddress: "99 หมู่ 3",
      preferredContact: "email",
    });
  });

  it("stores script tags verbatim and allows tabs/newlines", () => {
    const r = schema.parse({ ...base, details: "<script>alert(1)</script>\n\tถัดไป" });
    expect(r.details).toBe("<script>alert(1)</script>\n\tถัดไป");
  });

  it("treats missing keys like empty strings", () => {
    const rest = { category: "road", subject: "s", details: "d", village: "1" };
    const parsed = schema.parse(rest);
    expect(parsed.village).toBe(1);
    expect(parsed.landmark).toBeUndefined();
    expect(parsed.preferredContact).toBe("none");
  });
});

describe("complaintFormSchema: required and choices", () => {
  it("reports required fields", () => {
    expect(errorsOf({ ...base, category: "", subject: "   ", details: "", village: "" })).toEqual({
      category: "errors.required",
      subject: "errors.required",
      details: "errors.required",
      village: "errors.required",
    });
    expect(errorsOf({})).toEqual({
      category: "errors.required",
      subject: "errors.required",
      details: "errors.required",
      village: "errors.required",
    });
  });

  it("rejects unknown choices", () => {
    expect(errorsOf({ ...base, category: "nuclear", village: "4", preferredContact: "pigeon" })).toEqual({
      category: "errors.invalidChoice",
      village: "errors.invalidChoice",
      preferredContact: "errors.invalidChoice",
    });
    expect(errorsOf({ ...base, village: "3.0" })).toEqual({ village: "errors.invalidChoice" });
  });

  it("rejects non-string values", () => {
    expect(errorsOf({ ...base, subject: 42 })).toEqual({ subject: "errors.invalidText" });
  });
});

describe("complaintFormSchema: text safety and length", () => {
  it("enforces max length in characters after cleaning", () => {
    const thai = "ก".repeat(LIMITS.subject);
    expect(errorsOf({ ...base, subject: `  ${thai}  ` })).toEqual({});
    expect(errorsOf({ ...base, subject: thai + "ข" })).toEqual({ subject: "errors.tooLong" });
    expect(errorsOf({ ...base, details: "x".repeat(5001) })).toEqual({ details: "errors.tooLong" });
    expect(errorsOf({ ...base, landmark: "x".repeat(301) })).toEqual({ landmark: "errors.tooLong" });
  });

  it("includes max in the issue params", () => {
    const r = schema.safeParse({ ...base, subject: "x".repeat(201) });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path[0] === "subject");
    expect(issue && "params" in issue ? issue.params : undefined).toEqual({ max: 200 });
  });

  it("counts emoji as one character", () => {
    expect(errorsOf({ ...base, subject: "😀".repeat(200) })).toEqual({});
  });

  it("rejects U+FFFD from broken UTF-8", () => {
    const broken = new TextDecoder().decode(new Uint8Array([0xe0, 0xb8, 0x41]));
    expect(broken).toContain("\uFFFD");
    expect(errorsOf({ ...base, details: broken })).toEqual({ details: "errors.invalidText" });
  });

  it("rejects NUL and other control characters", () => {
    expect(errorsOf({ ...base, subject: "a\u0000b" })).toEqual({ subject: "errors.invalidText" });
    expect(errorsOf({ ...base, details: "bell\u0007" })).toEqual({ details: "errors.invalidText" });
    expect(errorsOf({ ...base, contactName: "esc\u001b[31m" })).toEqual({ contactName: "errors.invalidText" });
  });

  it("safeText works standalone", () => {
    expect(safeText(5, true).safeParse("  abc ").data).toBe("abc");
    expect(safeText(5, false).safeParse("").data).toBe("");
    expect(safeText(5, true).safeParse("abcdef").success).toBe(false);
  });
});

describe("complaintFormSchema: contacts", () => {
  it("normalises valid Thai phones", () => {
    expect(normalizeThaiPhone("081-234-5678")).toBe("0812345678");
    expect(normalizeThaiPhone("02 123 4567")).toBe("021234567");
    expect(normalizeThaiPhone("+6621234567")).toBe("021234567");
    expect(normalizeThaiPhone("๐๘๑๒๓๔๕๖๗๘")).toBe("0812345678");
  });

  it("rejects invalid phones", () => {
    for (const bad of ["12345678", "081234567890", "812345678", "+66 081 234 5678", "081-234-567x", "+1 555 1234"]) {
      expect(normalizeThaiPhone(bad), bad).toBeNull();
      expect(errorsOf({ ...base, contactPhone: bad }), bad).toEqual({ contactPhone: "errors.invalidPhone" });
    }
    expect(errorsOf({ ...base, contactPhone: "0".repeat(21) })).toEqual({ contactPhone: "errors.tooLong" });
  });

  it("rejects invalid emails", () => {
    for (const bad of ["plainaddress", "a@", "@b.com", "a b@c.com", "a@b"]) {
      expect(errorsOf({ ...base, contactEmail: bad }), bad).toEqual({ contactEmail: "errors.invalidEmail" });
    }
  });

  it("requires the contact matching the preference", () => {
    expect(errorsOf({ ...base, preferredContact: "email" })).toEqual({
      contactEmail: "errors.contactNeededForPreference",
    });
    expect(errorsOf({ ...base, preferredContact: "phone", contactEmail: "a@b.com" })).toEqual({
      contactPhone: "errors.contactNeededForPreference",
    });
    expect(errorsOf({ ...base, preferredContact: "post" })).toEqual({
      contactAddress: "errors.contactNeededForPreference",
    });
    expect(errorsOf({ ...base, preferredContact: "phone", contactPhone: "0812345678" })).toEqual({});
    expect(errorsOf({ ...base, preferredContact: "none" })).toEqual({});
  });
});

describe("complaintFormSchema: coordinates", () => {
  it("requires both or neither", () => {
    expect(errorsOf({ ...base, latitude: "13.75" })).toEqual({ longitude: "errors.coordinates" });
    expect(errorsOf({ ...base, longitude: "100.5" })).toEqual({ latitude: "errors.coordinates" });
  });

  it("enforces Thailand bounds", () => {
    expect(errorsOf({ ...base, latitude: "5.5", longitude: "105.7" })).toEqual({});
    expect(errorsOf({ ...base, latitude: "20.5", longitude: "97.3" })).toEqual({});
    expect(errorsOf({ ...base, latitude: "5.4", longitude: "100" })).toEqual({ latitude: "errors.coordinates" });
    expect(errorsOf({ ...base, latitude: "13", longitude: "105.8" })).toEqual({ longitude: "errors.coordinates" });
    expect(errorsOf({ ...base, latitude: "abc", longitude: "100" })).toEqual({ latitude: "errors.coordinates" });
    expect(errorsOf({ ...base, latitude: "1e1", longitude: "100" })).toEqual({ latitude: "errors.coordinates" });
  });
});

describe("fieldErrors", () => {
  it("keeps the first message per path", () => {
    const r = caseNoteSchema.safeParse({ note: "" });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toEqual({ note: "errors.required" });
  });
});

describe("staff schemas", () => {
  it("staffLoginSchema", () => {
    expect(staffLoginSchema.parse({ email: " Staff@Tambon.go.th ", password: " pw " })).toEqual({
      email: "staff@tambon.go.th",
      password: " pw ",
    });
    const r = staffLoginSchema.safeParse({ email: "nope", password: "" });
    expect(fieldErrors(r.error!)).toEqual({ email: "errors.invalidEmail", password: "errors.required" });
    const long = staffLoginSchema.safeParse({ email: "a@b.co", password: "x".repeat(201) });
    expect(fieldErrors(long.error!)).toEqual({ password: "errors.tooLong" });
    expect(fieldErrors(staffLoginSchema.safeParse({}).error!)).toEqual({
      email: "errors.required",
      password: "errors.required",
    });
  });

  it("caseNoteSchema", () => {
    expect(caseNoteSchema.parse({ note: " ติดต่อผู้ร้องแล้ว\r\n " })).toEqual({ note: "ติดต่อผู้ร้องแล้ว" });
    expect(fieldErrors(caseNoteSchema.safeParse({ note: "x".repeat(5001) }).error!)).toEqual({
      note: "errors.tooLong",
    });
  });
});
