import { describe, expect, it } from "vitest";
import { checkChosenFiles, formatFileSize, matchesAccept, parseAccept } from "~/lib/file-check";
import { contactChannels, isOrgSetupComplete, joinChoices, lineAddFriendUrl, normaliseLineId, otherWaysToFile } from "~/lib/org-contact";
import { shortWebAddress } from "~/lib/short-address";
import { ATTACHMENT_ACCEPT, LIMITS, fieldErrors } from "~/lib/validation";
import { complaintFormSchema } from "~/lib/validation.server";

const MB = 1024 * 1024;
const photo = (name: string, size: number, type = "image/jpeg") => ({ name, size, type });

describe("checkChosenFiles (before anything is uploaded)", () => {
  it("refuses a 30 MB file for its size and keeps the good ones in order", () => {
    const out = checkChosenFiles(
      [photo("a.jpg", 2 * MB), photo("video.jpg", 30 * MB), photo("b.png", MB, "image/png")],
      LIMITS,
      ATTACHMENT_ACCEPT,
    );
    expect(out.map((f) => f.problem)).toEqual([null, "files.tooLarge", null]);
    expect(out.map((f) => f.isImage)).toEqual([true, true, true]);
  });

  it("refuses types the input does not accept, by type or else by extension", () => {
    const out = checkChosenFiles(
      [photo("clip.mp4", MB, "video/mp4"), photo("scan.pdf", MB, ""), photo("doc.docx", MB, ""), photo("x.heic", MB, "image/heic")],
      LIMITS,
      ATTACHMENT_ACCEPT,
    );
    expect(out.map((f) => f.problem)).toEqual(["files.wrongType", null, "files.wrongType", "files.wrongType"]);
    expect(out[1].isImage).toBe(false);
  });

  it("counts the files kept from an earlier post towards the number and the total", () => {
    const kept = { count: 4, bytes: 20 * MB };
    const out = checkChosenFiles([photo("a.jpg", 4 * MB), photo("b.jpg", MB)], LIMITS, ATTACHMENT_ACCEPT, kept);
    expect(out.map((f) => f.problem)).toEqual([null, "files.tooMany"]);
    const total = checkChosenFiles([photo("a.jpg", 6 * MB), photo("b.jpg", MB)], LIMITS, ATTACHMENT_ACCEPT, { count: 0, bytes: 20 * MB });
    expect(total.map((f) => f.problem)).toEqual(["files.totalTooLarge", null]);
  });

  it("refuses an empty file", () => {
    expect(checkChosenFiles([photo("empty.jpg", 0)], LIMITS, ATTACHMENT_ACCEPT)[0].problem).toBe("files.empty");
  });

  it("reads accept lists and sizes", () => {
    expect(parseAccept("image/*, .PDF")).toEqual({ types: ["image/*"], extensions: [".pdf"] });
    expect(matchesAccept(photo("x.webp", 1, "image/webp"), "image/*")).toBe(true);
    expect(matchesAccept(photo("x.txt", 1, "text/plain"), "")).toBe(true);
    expect(formatFileSize(30 * MB)).toBe("30.0 MB");
    expect(formatFileSize(200)).toBe("1 KB");
  });
});

describe("the complaint schema reports every error at once", () => {
  const schema = complaintFormSchema({ categoryCodes: ["road"], villageNumbers: [1, 2] });
  it("reports the missing coordinate and the contact the preference needs alongside the other errors", () => {
    const r = schema.safeParse({
      category: "",
      subject: "",
      details: "",
      village: "",
      latitude: "14.1",
      preferredContact: "email",
      contactPhone: "12",
    });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toEqual({
      category: "errors.required",
      subject: "errors.required",
      details: "errors.required",
      village: "errors.required",
      contactPhone: "errors.invalidPhone",
      longitude: "errors.coordinates",
      contactEmail: "errors.contactNeededForPreference",
    });
  });

  it("does not add a second error to a field that already has one", () => {
    const r = schema.safeParse({
      category: "road",
      subject: "s",
      details: "d",
      village: "1",
      latitude: "99",
      longitude: "",
      preferredContact: "email",
      contactEmail: "bad@",
    });
    expect(fieldErrors(r.error!)).toEqual({ latitude: "errors.coordinates", contactEmail: "errors.invalidEmail" });
  });
});

describe("the organisation's channels", () => {
  const none = { phone: "", email: "", line_id: "", address_th: "", address_en: "", office_hours_th: "", office_hours_en: "" };

  it("lists only the channels that exist", () => {
    expect(contactChannels(none, "th")).toEqual([]);
    const some = { ...none, phone: "056 123 456", line_id: "@wangluek", address_th: "ที่ทำการ", office_hours_th: "จันทร์–ศุกร์" };
    expect(contactChannels(some, "th")).toEqual([
      { kind: "phone", value: "056 123 456", href: "tel:056123456" },
      { kind: "line", value: "@wangluek", href: "https://line.me/R/ti/p/%40wangluek" },
      { kind: "office", value: "ที่ทำการ", hours: "จันทร์–ศุกร์" },
    ]);
    // English falls back to the Thai address and hours when none was given in English.
    expect(contactChannels(some, "en")[2]).toEqual({ kind: "office", value: "ที่ทำการ", hours: "จันทร์–ศุกร์" });
    expect(otherWaysToFile(contactChannels(some, "th"))).toEqual(["office", "phone", "line", "post"]);
    expect(otherWaysToFile([])).toEqual([]);
  });

  it("checks LINE IDs", () => {
    expect(normaliseLineId(" @WangLuek ")).toBe("@wangluek");
    expect(normaliseLineId("wang.luek_1")).toBe("wang.luek_1");
    for (const bad of ["ไลน์", "@a", "has space!", "x".repeat(21)]) expect(normaliseLineId(bad), bad).toBeNull();
    expect(lineAddFriendUrl("@abc1234")).toBe("https://line.me/R/ti/p/%40abc1234");
  });

  it("joins choices the Thai and the English way", () => {
    expect(joinChoices(["ก", "ข", "ค"], " ", " หรือ")).toBe("ก ข หรือค");
    expect(joinChoices(["a", "b", "c"], ", ", " or ")).toBe("a, b or c");
    expect(joinChoices(["a"], ", ", " or ")).toBe("a");
  });

  it("knows when the set-up was done", () => {
    expect(isOrgSetupComplete({ setup_completed_at: null })).toBe(false);
    expect(isOrgSetupComplete({ setup_completed_at: "2026-12-20T03:00:00.000Z" })).toBe(true);
  });
});

describe("shortWebAddress", () => {
  it("drops the scheme, www. and a trailing slash", () => {
    expect(shortWebAddress("https://www.wangluek.go.th", "/track")).toBe("wangluek.go.th/track");
    expect(shortWebAddress("https://wangluek.go.th/", "/track")).toBe("wangluek.go.th/track");
    expect(shortWebAddress("http://127.0.0.1:3000", "/track")).toBe("127.0.0.1:3000/track");
    expect(shortWebAddress("https://portal.example.th/sujarit", "track")).toBe("portal.example.th/sujarit/track");
    // ORG_ROUTING=path: the organisation's address keeps its /o/<code>.
    expect(shortWebAddress("https://portal.example.th/o/wangluek", "/track")).toBe("portal.example.th/o/wangluek/track");
  });
});
