/**
 * The proof of filing (app/lib/report-proof.ts): the canonical submission text, the v2 statement and file, parsing
 * (tolerant of CRLF/BOM, strict about the statement), classification with THIS installation's key only (a file's own
 * key, a forged fingerprint or a legacy file's embedded key never makes a proof genuine), and submission matching.
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CANONICAL_FORM,
  PROOF_BEGIN,
  PROOF_END,
  bangkokReceivedOn,
  buildProofStatement,
  canonicalSubmissionText,
  classifyProof,
  groupFingerprint,
  parseProofFile,
  renderProofFile,
  submissionMatches,
} from "~/lib/report-proof";

// ---- keys (real Ed25519 keys from node:crypto) ----------------------------------------------------------------------

interface TestKey {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  fingerprint: string;
  spkiB64: string;
}

function newKey(): TestKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  const der = publicKey.export({ format: "der", type: "spki" }) as Buffer;
  return {
    privateKey,
    publicKey,
    fingerprint: crypto.createHash("sha256").update(der).digest("hex"),
    spkiB64: der.toString("base64"),
  };
}

const ours = newKey();
const theirs = newKey();

const sign = (key: TestKey, text: string) => crypto.sign(null, Buffer.from(text, "utf8"), key.privateKey).toString("base64");

/** What the server does: verify with the installation's key only. */
function verifyWith(key: TestKey) {
  return (statement: string, signature: string) => {
    try {
      return crypto.verify(null, Buffer.from(statement, "utf8"), key.publicKey, Buffer.from(signature, "base64"));
    } catch {
      return false;
    }
  };
}
const asInstallation = { verify: verifyWith(ours), fingerprint: ours.fingerprint };

const DIGEST = "3f2a9c0d5e6b7a8190fedcba9876543210aabbccddeeff00112233445566778899".slice(0, 64);
const ORG = "องค์การบริหารส่วนตำบลวังลึก";
const LABELS = {
  header: [
    "สุจริต (Sujarit) — หลักฐานการยื่นเรื่อง",
    "ไฟล์นี้ไม่มีเลขรับแจ้ง",
    "",
    "Sujarit — proof of filing",
    "This file contains no receipt and no report text.",
  ],
};

function statementFor(key: TestKey, over: Partial<Parameters<typeof buildProofStatement>[0]> = {}) {
  return buildProofStatement({
    organisation: ORG,
    receivedAt: "2026-03-05",
    submissionSha256: DIGEST,
    signingKeySha256: key.fingerprint,
    ...over,
  });
}

// ---- the submission text --------------------------------------------------------------------------------------------

describe("canonicalSubmissionText", () => {
  const files = ["a".repeat(64), "0123456789abcdef".repeat(4)];
  const fields = {
    whatHappened: 'เรียกรับเงิน "ค่าผ่านงาน"\nบรรทัดที่สอง\tแท็บ',
    where: "ที่ทำการ อบต.",
    involvedPosition: "หัวหน้าฝ่ายพัสดุ",
    when: undefined,
  };

  it("is byte for byte the text computeSubmissionDigest always hashed (keys sorted, no spaces, v: 1)", () => {
    const text = canonicalSubmissionText({ receivedAt: "2026-03-05T02:15:00.000Z", mode: "anonymous", fields, files });
    const expected = String.raw`{"fields":{"involvedPosition":"หัวหน้าฝ่ายพัสดุ","whatHappened":"เรียกรับเงิน \"ค่าผ่านงาน\"\nบรรทัดที่สอง\tแท็บ","where":"ที่ทำการ อบต."},"files":["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],"mode":"anonymous","receivedAt":"2026-03-05T02:15:00.000Z","v":1}`;
    expect(text).toBe(expected);
    expect(Buffer.from(text, "utf8").equals(Buffer.from(expected, "utf8"))).toBe(true);
  });

  it("day-precision received_at and a report without files", () => {
    const text = canonicalSubmissionText({
      receivedAt: "2026-03-05",
      mode: "confidential",
      fields: { whatHappened: "x", reporterName: "ก" },
      files: [],
    });
    expect(text).toBe(
      `{"fields":{"reporterName":"ก","whatHappened":"x"},"files":[],"mode":"confidential","receivedAt":"2026-03-05","v":1}`,
    );
  });

  it("submissionMatches: the canonical text matches its digest; the same JSON pretty-printed does not", async () => {
    const text = canonicalSubmissionText({ receivedAt: "2026-03-05", mode: "anonymous", fields, files });
    const digest = crypto.createHash("sha256").update(text, "utf8").digest("hex");
    expect(await submissionMatches(text, { submissionSha256: digest })).toBe(true);
    // What an editor may add (a BOM, a final line break) is forgiven…
    expect(await submissionMatches(`\uFEFF${text}\r\n`, { submissionSha256: digest })).toBe(true);
    // …but not another form of the same JSON (wrong canonical form), nor another text.
    const pretty = JSON.stringify(JSON.parse(text), null, 2);
    expect(JSON.parse(pretty)).toEqual(JSON.parse(text));
    expect(await submissionMatches(pretty, { submissionSha256: digest })).toBe(false);
    expect(await submissionMatches(text.replace("x", "y").replace("ที่สอง", "ที่สาม"), { submissionSha256: digest })).toBe(false);
    expect(await submissionMatches(text, { submissionSha256: null })).toBe(false);
    expect(await submissionMatches(text, null)).toBe(false);
  });
});

// ---- statement and file ---------------------------------------------------------------------------------------------

describe("statement and file", () => {
  it("the v2 statement: one field per line, LF, no final newline", () => {
    expect(statementFor(ours)).toBe(
      [
        "sujarit-report-proof-v2",
        `organisation: ${ORG}`,
        "received-on: 2026-03-05",
        `submission-sha256: ${DIGEST}`,
        "canonical-form: submission.json from the reporter's inbox (UTF-8 JSON, keys sorted, no spaces)",
        `signing-key-sha256: ${ours.fingerprint}`,
      ].join("\n"),
    );
    // A grouped fingerprint and an upper-case digest give the same statement.
    expect(statementFor(ours, { signingKeySha256: groupFingerprint(ours.fingerprint), submissionSha256: DIGEST.toUpperCase() })).toBe(
      statementFor(ours),
    );
    expect(() => statementFor(ours, { submissionSha256: "abc" })).toThrow();
    expect(() => statementFor(ours, { signingKeySha256: "not a key" })).toThrow();
    expect(() => statementFor(ours, { receivedAt: "yesterday" })).toThrow();
  });

  it("received-on is the Bangkok date of either form of received_at", () => {
    expect(bangkokReceivedOn("2026-03-05")).toBe("2026-03-05");
    expect(bangkokReceivedOn("2026-03-04T17:30:00.000Z")).toBe("2026-03-05"); // 00:30 in Bangkok
    expect(bangkokReceivedOn("2026-03-04T16:59:59.999Z")).toBe("2026-03-04");
    expect(() => bangkokReceivedOn("2026-02-30")).toThrow();
    expect(statementFor(ours, { receivedAt: "2025-12-31T18:00:00.000Z" })).toContain("\nreceived-on: 2026-01-01\n");
  });

  it("round trip: render, parse, same statement, fields and signature; no key and no receipt in the file", () => {
    const statement = statementFor(ours);
    const signature = sign(ours, statement);
    const file = renderProofFile(statement, signature, LABELS);
    expect(file).toContain(`${PROOF_BEGIN}\n${statement}\n${PROOF_END}\nsignature: ${signature}\n`);
    expect(file.startsWith(LABELS.header[0])).toBe(true);
    expect(file).not.toContain(ours.spkiB64);
    expect(file).not.toMatch(/BEGIN PUBLIC KEY/);
    const parsed = parseProofFile(file)!;
    expect(parsed).not.toBeNull();
    expect(parsed.statement).toBe(statement);
    expect(parsed.signature).toBe(signature);
    expect(parsed.format).toBe("v2");
    expect(parsed.fields).toEqual({
      version: 2,
      organisation: ORG,
      receivedOn: "2026-03-05",
      receivedAt: null,
      submissionSha256: DIGEST,
      canonicalForm: CANONICAL_FORM,
      signingKeySha256: ours.fingerprint,
    });
    expect(classifyProof(parsed, asInstallation)).toBe("genuine");
  });

  it("parsing forgives CRLF, a BOM and whitespace around the file and the markers", () => {
    const statement = statementFor(ours);
    const signature = sign(ours, statement);
    const file = renderProofFile(statement, signature, LABELS);
    const variants = [
      file.replace(/\n/g, "\r\n"),
      `\uFEFF${file}`,
      `\uFEFF\r\n\r\n   ${file.replace(/\n/g, "\r\n")}   \r\n\r\n`,
      file.replace(PROOF_BEGIN, `  ${PROOF_BEGIN}  `).replace(PROOF_END, `${PROOF_END}\t`).replace("signature: ", "signature:   "),
      // Pasted without the header.
      file.slice(file.indexOf(PROOF_BEGIN)),
    ];
    for (const v of variants) {
      const parsed = parseProofFile(v);
      expect(parsed?.statement).toBe(statement);
      expect(parsed?.signature).toBe(signature);
      expect(classifyProof(parsed, asInstallation)).toBe("genuine");
    }
  });

  it("unreadable: garbage, no markers, no end, no signature", () => {
    const statement = statementFor(ours);
    const file = renderProofFile(statement, sign(ours, statement), LABELS);
    for (const text of [
      "",
      "hello",
      "\u0000\u0001garbage\uFFFD",
      statement, // the statement alone, no markers, no signature
      file.replace(PROOF_END, "-----END SOMETHING-----"),
      file.replace(/signature: .*\n/, ""),
      `${PROOF_BEGIN}\n${PROOF_END}\nsignature: AAAA\n`,
    ]) {
      expect(parseProofFile(text)).toBeNull();
      expect(classifyProof(parseProofFile(text), asInstallation)).toBe("unreadable");
    }
  });
});

// ---- classification ---------------------------------------------------------------------------------------------

describe("classifyProof (only ever with the installation's key)", () => {
  it("genuine when signed with our key", () => {
    const statement = statementFor(ours);
    expect(classifyProof(parseProofFile(renderProofFile(statement, sign(ours, statement), LABELS)), asInstallation)).toBe("genuine");
  });

  it("other-key: signed with a second key, the statement naming that key", () => {
    const statement = statementFor(theirs);
    const parsed = parseProofFile(renderProofFile(statement, sign(theirs, statement), LABELS))!;
    // It is a perfectly valid signature — by the wrong key.
    expect(verifyWith(theirs)(parsed.statement, parsed.signature)).toBe(true);
    expect(classifyProof(parsed, asInstallation)).toBe("other-key");
  });

  it("a statement claiming OUR fingerprint but signed with another key is edited, never genuine", () => {
    const statement = statementFor(ours);
    const forged = parseProofFile(renderProofFile(statement, sign(theirs, statement), LABELS))!;
    expect(forged.fields.signingKeySha256).toBe(ours.fingerprint);
    expect(classifyProof(forged, asInstallation)).toBe("edited");
  });

  it("one changed character in the statement: edited", () => {
    const statement = statementFor(ours);
    const file = renderProofFile(statement, sign(ours, statement), LABELS);
    const changed = [
      file.replace("received-on: 2026-03-05", "received-on: 2026-03-04"),
      file.replace(`submission-sha256: ${DIGEST}`, `submission-sha256: ${DIGEST.slice(0, 63)}${DIGEST[63] === "0" ? "1" : "0"}`),
      file.replace(`organisation: ${ORG}`, `organisation: ${ORG.replace("วังลึก", "วังตื้น")}`),
      file.replace(`${PROOF_BEGIN}\n`, `${PROOF_BEGIN}\n\n`),
      file.replace("received-on: 2026-03-05", "received-on: 2026-03-05 "), // a trailing space is a change too
    ];
    for (const text of changed) {
      const parsed = parseProofFile(text);
      expect(parsed).not.toBeNull();
      expect(classifyProof(parsed, asInstallation)).toBe("edited");
    }
    // The header is not signed: changing it changes nothing.
    expect(classifyProof(parseProofFile(file.replace("Sujarit — proof of filing", "Anything at all")), asInstallation)).toBe("genuine");
  });

  it("a damaged signature: edited; a verifier that throws is not genuine", () => {
    const statement = statementFor(ours);
    const sig = sign(ours, statement);
    const bad = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    expect(classifyProof(parseProofFile(renderProofFile(statement, bad, LABELS)), asInstallation)).toBe("edited");
    expect(classifyProof(parseProofFile(renderProofFile(statement, "%%%", LABELS)), asInstallation)).toBe("edited");
    const throwing = {
      verify: () => {
        throw new Error("boom");
      },
      fingerprint: ours.fingerprint,
    };
    expect(classifyProof(parseProofFile(renderProofFile(statement, sig, LABELS)), throwing)).toBe("edited");
  });

  it("a text our key signed that is not a proof statement is no proof", () => {
    const text = "something else\norganisation: x";
    expect(classifyProof(parseProofFile(renderProofFile(text, sign(ours, text), LABELS)), asInstallation)).toBe("unreadable");
  });

  /** A legacy (v1) receipt file as app/routes/report.receipt-file.tsx wrote it before: it embedded its own public key. */
  function legacyFile(key: TestKey, labels: { statement: string; signature: string; fingerprint: string; publicKey: string }) {
    const statement = [
      "sujarit-report-proof-v1",
      `organisation: ${ORG}`,
      "received-at: 2026-03-04T17:30:00.000Z",
      `submission-sha256: ${DIGEST}`,
    ].join("\n");
    return [
      "Sujarit — receipt and proof of filing (corruption and misconduct report)",
      "",
      "Receipt: 1234 5678 9012 3456",
      "",
      `----- ${labels.statement} -----`,
      statement,
      "-----",
      `${labels.signature}: ${sign(key, statement)}`,
      `${labels.fingerprint}: ${groupFingerprint(key.fingerprint)}`,
      `${labels.publicKey}: ${key.spkiB64}`,
      "",
    ].join("\n");
  }
  const EN = {
    statement: "Signed statement",
    signature: "Signature (Ed25519, base64)",
    fingerprint: "Public key fingerprint",
    publicKey: "Server public key (SPKI, base64)",
  };
  const TH = {
    statement: "ข้อความที่ลงลายมือชื่อ",
    signature: "ลายมือชื่ออิเล็กทรอนิกส์ (Ed25519, base64)",
    fingerprint: "ลายนิ้วมือกุญแจสาธารณะ",
    publicKey: "กุญแจสาธารณะของระบบ (SPKI, base64)",
  };

  it("a legacy v1 file signed by the key it embeds is NOT genuine (the embedded key is ignored)", () => {
    for (const labels of [EN, TH]) {
      const file = legacyFile(theirs, labels);
      const parsed = parseProofFile(file)!;
      expect(parsed.format).toBe("v1");
      // Valid under the key the file carries…
      const embedded = crypto.createPublicKey({ key: Buffer.from(theirs.spkiB64, "base64"), format: "der", type: "spki" });
      expect(crypto.verify(null, Buffer.from(parsed.statement), embedded, Buffer.from(parsed.signature, "base64"))).toBe(true);
      // …and still not ours.
      expect(classifyProof(parsed, asInstallation)).not.toBe("genuine");
      expect(classifyProof(parsed, asInstallation)).toBe("edited");
    }
  });

  it("a legacy v1 file signed by our key is still genuine; its Bangkok date comes from received-at", () => {
    for (const labels of [EN, TH]) {
      const parsed = parseProofFile(legacyFile(ours, labels).replace(/\n/g, "\r\n"))!;
      expect(classifyProof(parsed, asInstallation)).toBe("genuine");
      expect(parsed.fields.version).toBe(1);
      expect(parsed.fields.receivedOn).toBe("2026-03-05");
      expect(parsed.fields.submissionSha256).toBe(DIGEST);
      expect(parsed.fields.signingKeySha256).toBeNull();
    }
  });
});
