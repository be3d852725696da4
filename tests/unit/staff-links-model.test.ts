/**
 * The platform database's links between staff accounts (app/models/platform/staff-links.server.ts) on a real SQLite
 * platform file: codes, grouping into one person, the one-account-per-council rule, switch tokens and unlinking.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openOrganisationStorage, preparePlatform, recordOrganisation, type OrganisationStorage } from "../../db/platform";
import {
  LINK_CODE_MS,
  SWITCH_TOKEN_MS,
  generateLinkCode,
  issueLinkCode,
  isLinkedTo,
  linkedAccounts,
  normalizeLinkCode,
  peekSwitch,
  redeemLinkCode,
  startSwitch,
  takeSwitch,
  unlinkAccount,
} from "~/models/platform/staff-links.server";
import { isDomainError } from "~/lib/domain-error";

let dir: string;
let storage: OrganisationStorage;
const t0 = new Date("2026-12-05T03:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isDomainError(e)) return e.messageKey;
    throw e;
  }
  throw new Error("not refused");
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-links-"));
  storage = openOrganisationStorage({ DATA_DIR: dir });
  await preparePlatform(storage);
  for (const code of ["aaa", "bbb", "ccc"]) {
    await recordOrganisation(storage.platform, { code, nameTh: code, nameEn: code, hosts: [`${code}.localhost`] });
  }
});

afterAll(async () => {
  await storage.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("link codes", () => {
  it("look like XXXX-XXXX-XXXX without look-alike characters, and are read back however they are typed", () => {
    for (let i = 0; i < 200; i++) {
      const code = generateLinkCode();
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
      expect(normalizeLinkCode(` ${code.toLowerCase().replaceAll("-", " ")} `)).toBe(code.replaceAll("-", ""));
    }
    expect(normalizeLinkCode("AAAA-BBBB-CCC0")).toBeNull(); // 0 is not in the alphabet
    expect(normalizeLinkCode("AAAA-BBBB-CCC")).toBeNull();
    expect(normalizeLinkCode(42)).toBeNull();
  });

  it("link two accounts once; a wrong council, an expired or a used code links nothing", async () => {
    const a = { org: "aaa", staffId: 1 };
    const b = { org: "bbb", staffId: 7 };
    const { code } = await issueLinkCode(storage.platform, b, t0);
    expect(await refusal(redeemLinkCode(storage.platform, a, { fromOrg: "ccc", code }, t0))).toBe("links.errors.code");
    expect(await refusal(redeemLinkCode(storage.platform, b, { fromOrg: "bbb", code }, t0))).toBe("links.errors.code");
    expect(await refusal(redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code: "nonsense" }, t0))).toBe("links.errors.code");
    // A newer code replaces the older one.
    const { code: newer } = await issueLinkCode(storage.platform, b, t0);
    expect(await refusal(redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code }, t0))).toBe("links.errors.code");
    expect(await refusal(redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code: newer }, later(LINK_CODE_MS)))).toBe(
      "links.errors.code",
    );
    const fresh = (await issueLinkCode(storage.platform, b, t0)).code;
    expect(await redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code: fresh }, later(LINK_CODE_MS - 1))).toEqual(b);
    expect(await linkedAccounts(storage.platform, a)).toEqual([b]);
    expect(await linkedAccounts(storage.platform, b)).toEqual([a]);
    expect(await refusal(redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code: fresh }, t0))).toBe("links.errors.code");
    await unlinkAccount(storage.platform, a);
  });

  it("join whole persons, and never give one person two accounts at one council", async () => {
    const a = { org: "aaa", staffId: 2 };
    const b = { org: "bbb", staffId: 2 };
    const c = { org: "ccc", staffId: 2 };
    const otherB = { org: "bbb", staffId: 3 };
    await redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code: (await issueLinkCode(storage.platform, b, t0)).code }, t0);
    // c links to b: a, b and c are one person.
    await redeemLinkCode(storage.platform, c, { fromOrg: "bbb", code: (await issueLinkCode(storage.platform, b, t0)).code }, t0);
    expect(await linkedAccounts(storage.platform, a)).toEqual([b, c]);
    expect(await Promise.all(["bbb", "ccc", "ddd"].map((org) => isLinkedTo(storage.platform, a, org)))).toEqual([true, true, false]);
    // Another account at bbb cannot join: the person has one there.
    const code = (await issueLinkCode(storage.platform, otherB, t0)).code;
    expect(await refusal(redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code }, t0))).toBe("links.errors.twoAtOneCouncil");
    expect(await linkedAccounts(storage.platform, otherB)).toEqual([]);

    // c leaves: a and b stay linked; b leaves: nothing is left of the person.
    expect(await unlinkAccount(storage.platform, c)).toEqual([a, b]);
    expect(await linkedAccounts(storage.platform, a)).toEqual([b]);
    expect([await isLinkedTo(storage.platform, a, "ccc"), await isLinkedTo(storage.platform, c, "aaa")]).toEqual([false, false]);
    expect(await unlinkAccount(storage.platform, b)).toEqual([a]);
    expect(await linkedAccounts(storage.platform, a)).toEqual([]);
    expect(await storage.platform.selectFrom("staff_link").selectAll().execute()).toEqual([]);
  });
});

describe("switch tokens", () => {
  const a = { org: "aaa", staffId: 4 };
  const b = { org: "bbb", staffId: 5 };

  beforeAll(async () => {
    await redeemLinkCode(storage.platform, a, { fromOrg: "bbb", code: (await issueLinkCode(storage.platform, b, t0)).code }, t0);
  });

  it("exist only towards a linked account", async () => {
    expect(await startSwitch(storage.platform, a, "ccc", { secondFactor: true, at: t0 })).toBeNull();
    expect(await startSwitch(storage.platform, a, "aaa", { secondFactor: true, at: t0 })).toBeNull();
    expect(await startSwitch(storage.platform, { org: "aaa", staffId: 99 }, "bbb", { secondFactor: true, at: t0 })).toBeNull();
  });

  it("work once, at their council, before they expire, with the second factor as it was", async () => {
    const s = (await startSwitch(storage.platform, a, "bbb", { secondFactor: true, at: t0 }))!;
    expect(s.to).toEqual(b);
    expect(await peekSwitch(storage.platform, s.token, "aaa", t0)).toBeNull();
    expect(await peekSwitch(storage.platform, s.token, "bbb", later(SWITCH_TOKEN_MS))).toBeNull();
    expect(await peekSwitch(storage.platform, s.token, "bbb", t0)).toMatchObject({ from: a, to: b, secondFactor: true });
    // Looking does not use it up; taking does.
    expect(await takeSwitch(storage.platform, s.token, "aaa", t0)).toBeNull();
    expect(await takeSwitch(storage.platform, s.token, "bbb", t0)).toMatchObject({ from: a, to: b, secondFactor: true });
    expect(await takeSwitch(storage.platform, s.token, "bbb", t0)).toBeNull();

    const expired = (await startSwitch(storage.platform, a, "bbb", { secondFactor: false, at: t0 }))!;
    expect(await takeSwitch(storage.platform, expired.token, "bbb", later(SWITCH_TOKEN_MS))).toBeNull();
    const plain = (await startSwitch(storage.platform, b, "aaa", { secondFactor: false, at: t0 }))!;
    expect(await takeSwitch(storage.platform, plain.token, "aaa", t0)).toMatchObject({ from: b, to: a, secondFactor: false });
    expect(await takeSwitch(storage.platform, "not a token", "aaa", t0)).toBeNull();
  });

  it("stop working when the link is cut", async () => {
    const s = (await startSwitch(storage.platform, a, "bbb", { secondFactor: true, at: t0 }))!;
    await unlinkAccount(storage.platform, b);
    expect(await peekSwitch(storage.platform, s.token, "bbb", t0)).toBeNull();
    expect(await takeSwitch(storage.platform, s.token, "bbb", t0)).toBeNull();
  });
});
