/**
 * Pure rules of the second factor (app/lib/second-factor.ts, requiresSecondFactor in app/lib/permissions.ts), and the
 * software authenticator the integration tests use (tests/helpers/webauthn.ts) checked against @simplewebauthn/server
 * itself, so a passing integration test means the server accepted what a real authenticator would send.
 */
import { describe, expect, it } from "vitest";
import { verifyAuthenticationResponse, verifyRegistrationResponse } from "@simplewebauthn/server";
import {
  FIXED_SECOND_FACTOR_ROLES,
  OPTIONAL_SECOND_FACTOR_ROLES,
  STAFF_ROLES,
  isOptionalSecondFactorRole,
  requiresSecondFactor,
} from "../../app/lib/permissions";
import {
  PASSKEY_NAME_MAX,
  canRemovePasskey,
  hasSecondFactor,
  isBase64Url,
  needsSecondFactor,
  normalizePasskeyName,
  offeredMethods,
  parseTransports,
} from "../../app/lib/second-factor";
import { SoftAuthenticator, cborEncode } from "../helpers/webauthn";

describe("which roles need a second factor", () => {
  it("admin, supervisor and integrity always; officer, intake and executive only when turned on", () => {
    expect([...FIXED_SECOND_FACTOR_ROLES].sort()).toEqual(["admin", "integrity", "supervisor"]);
    expect([...OPTIONAL_SECOND_FACTOR_ROLES, ...FIXED_SECOND_FACTOR_ROLES].sort()).toEqual([...STAFF_ROLES].sort());
    for (const role of STAFF_ROLES) {
      const fixed = (FIXED_SECOND_FACTOR_ROLES as readonly string[]).includes(role);
      expect(requiresSecondFactor({ role }, { optionalRoles: [] }), role).toBe(fixed);
      expect(requiresSecondFactor({ role }, { optionalRoles: ["officer"] }), role).toBe(fixed || role === "officer");
      expect(isOptionalSecondFactorRole(role)).toBe(!fixed);
    }
    expect(isOptionalSecondFactorRole("admin")).toBe(false);
    expect(isOptionalSecondFactorRole("root")).toBe(false);
    expect(requiresSecondFactor({ role: "nobody" as never }, { optionalRoles: ["nobody" as never] })).toBe(false);
  });

  it("someone who set up a factor is asked for it even when the role does not need one", () => {
    expect(needsSecondFactor(false, { totp: false, passkeys: 0 })).toBe(false);
    expect(needsSecondFactor(false, { totp: false, passkeys: 1 })).toBe(true);
    expect(needsSecondFactor(false, { totp: true, passkeys: 0 })).toBe(true);
    expect(needsSecondFactor(true, { totp: false, passkeys: 0 })).toBe(true);
    expect(hasSecondFactor({ totp: false, passkeys: 0 })).toBe(false);
  });
});

describe("what the step offers and what may be removed", () => {
  it("offers the passkey first, then the app, then recovery codes (only next to a real factor)", () => {
    expect(offeredMethods({ totp: true, passkeys: 2, recoveryCodes: 3 })).toEqual(["passkey", "totp", "recovery"]);
    expect(offeredMethods({ totp: false, passkeys: 1, recoveryCodes: 10 })).toEqual(["passkey", "recovery"]);
    expect(offeredMethods({ totp: true, passkeys: 0, recoveryCodes: 0 })).toEqual(["totp"]);
    expect(offeredMethods({ totp: false, passkeys: 0, recoveryCodes: 10 })).toEqual([]);
  });

  it("never removes the last factor of a role that needs one; recovery codes do not count", () => {
    expect(canRemovePasskey(true, { totp: false, passkeys: 1 })).toBe(false);
    expect(canRemovePasskey(true, { totp: false, passkeys: 2 })).toBe(true);
    expect(canRemovePasskey(true, { totp: true, passkeys: 1 })).toBe(true);
    expect(canRemovePasskey(false, { totp: false, passkeys: 1 })).toBe(true);
    expect(canRemovePasskey(false, { totp: false, passkeys: 0 })).toBe(false);
  });
});

describe("passkey names and transports", () => {
  it("cleans a name as typed and keeps Thai whole", () => {
    expect(normalizePasskeyName("  โทรศัพท์   ของ\tฉัน \n")).toBe("โทรศัพท์ ของ ฉัน");
    expect(normalizePasskeyName("คอมพิวเตอร์\u200bที่ทำงาน")).toBe("คอมพิวเตอร์ ที่ทำงาน");
    expect(normalizePasskeyName("a\u202eb")).toBe("a b");
    expect(normalizePasskeyName("   ")).toBeNull();
    expect(normalizePasskeyName(42)).toBeNull();
    expect(normalizePasskeyName("ก".repeat(PASSKEY_NAME_MAX))).toHaveLength(PASSKEY_NAME_MAX);
    expect(normalizePasskeyName("ก".repeat(PASSKEY_NAME_MAX + 1))).toBeNull();
    // Counted as characters (code points), decomposed input composed first.
    expect(normalizePasskeyName("e\u0301")).toBe("é");
  });

  it("keeps only known transports, once each", () => {
    expect(parseTransports('["internal","hybrid","internal","carrier-pigeon"]')).toEqual(["internal", "hybrid"]);
    expect(parseTransports(["usb", "nfc"])).toEqual(["usb", "nfc"]);
    expect(parseTransports("not json")).toEqual([]);
    expect(parseTransports('{"a":1}')).toEqual([]);
    expect(isBase64Url("abc-_Z09")).toBe(true);
    expect(isBase64Url("abc=")).toBe(false);
    expect(isBase64Url("")).toBe(false);
  });
});

describe("the software authenticator of the tests", () => {
  it("encodes CBOR as RFC 8949 says", () => {
    expect(cborEncode(0).toString("hex")).toBe("00");
    expect(cborEncode(23).toString("hex")).toBe("17");
    expect(cborEncode(24).toString("hex")).toBe("1818");
    expect(cborEncode(1000).toString("hex")).toBe("1903e8");
    expect(cborEncode(-1).toString("hex")).toBe("20");
    expect(cborEncode(-7).toString("hex")).toBe("26");
    expect(cborEncode("a").toString("hex")).toBe("6161");
    expect(cborEncode(new Uint8Array([1, 2])).toString("hex")).toBe("420102");
    expect(cborEncode({ a: 1 }).toString("hex")).toBe("a1616101");
  });

  it("makes registrations and assertions that @simplewebauthn/server verifies, with a growing counter", async () => {
    const origin = "https://portal.example.go.th";
    const auth = new SoftAuthenticator(origin);
    const challenge = Buffer.from("registration challenge").toString("base64url");
    const reg = auth.register({
      challenge,
      rp: { id: "portal.example.go.th", name: "Sujarit" },
      user: { id: "dXNlcg", name: "u", displayName: "U" },
    });
    const v = await verifyRegistrationResponse({
      response: reg as never,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: "portal.example.go.th",
    });
    expect(v.verified).toBe(true);
    const credential = v.registrationInfo!.credential;
    expect(credential.id).toBe(reg.id);
    const c2 = Buffer.from("sign-in challenge").toString("base64url");
    const asn = auth.authenticate({ challenge: c2, rpId: "portal.example.go.th", allowCredentials: [{ id: credential.id }] });
    const a = await verifyAuthenticationResponse({
      response: asn as never,
      expectedChallenge: c2,
      expectedOrigin: origin,
      expectedRPID: "portal.example.go.th",
      credential,
    });
    expect(a.verified).toBe(true);
    expect(a.authenticationInfo.newCounter).toBe(1);
    // Another site's origin, another RP ID, or a counter that does not grow: refused by the library.
    const c3 = Buffer.from("third").toString("base64url");
    await expect(
      verifyAuthenticationResponse({
        response: auth.authenticate({ challenge: c3, rpId: "portal.example.go.th" }, { origin: "https://evil.example" }) as never,
        expectedChallenge: c3,
        expectedOrigin: origin,
        expectedRPID: "portal.example.go.th",
        credential: { ...credential, counter: 1 },
      }),
    ).rejects.toThrow(/origin/i);
    await expect(
      verifyAuthenticationResponse({
        response: auth.authenticate({ challenge: c3, rpId: "portal.example.go.th" }, { counter: 1 }) as never,
        expectedChallenge: c3,
        expectedOrigin: origin,
        expectedRPID: "portal.example.go.th",
        credential: { ...credential, counter: 5 },
      }),
    ).rejects.toThrow(/counter/i);
    // Excluded credentials are refused as a browser would (InvalidStateError).
    expect(() =>
      auth.register({
        challenge,
        rp: { id: "portal.example.go.th", name: "x" },
        user: { id: "dXNlcg", name: "u", displayName: "U" },
        excludeCredentials: [{ id: credential.id }],
      }),
    ).toThrow(/already registered/);
  });
});
