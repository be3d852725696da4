/**
 * A software WebAuthn authenticator for black-box tests over plain HTTP (no browser): it makes P-256 (ES256)
 * credentials with attestation "none" and signs assertions, producing the same JSON a browser's
 * @simplewebauthn/browser hands to the server. Browser tests use Chromium's virtual authenticator instead
 * (tests/e2e/passkeys.spec.ts).
 *
 *   const auth = new SoftAuthenticator(server.url);
 *   const reg = auth.register(optionsFromServer);      // RegistrationResponseJSON
 *   const asn = auth.authenticate(optionsFromServer);  // AuthenticationResponseJSON
 *
 * `origin` is what the browser would put in clientDataJSON (the page's origin); the RP ID comes from the options.
 */
import crypto from "node:crypto";

// ---------------------------------------------------------------------------------------------------------------
// Minimal CBOR (RFC 8949) encoder: unsigned/negative integers, byte strings, text strings, maps.

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cborEncode(v: Cbor): Buffer {
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") {
    const b = Buffer.from(v, "utf8");
    return Buffer.concat([head(3, b.length), b]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  const entries: [Cbor, Cbor][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, x]) => [cborEncode(k), cborEncode(x)])]);
}

// ---------------------------------------------------------------------------------------------------------------

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString("base64url");

export interface SoftCredential {
  id: Buffer;
  rpId: string;
  userHandle: string;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  signCount: number;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: { id: string }[];
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  /** Whether the authenticator keeps a signature counter (true: +1 per assertion; false: always 0, like many passkeys). */
  countSignatures = true;

  constructor(readonly origin: string) {}

  private rpIdFor(explicit?: string): string {
    return explicit ?? new URL(this.origin).hostname;
  }

  /** navigator.credentials.create(): a new credential for the options' RP and user (`origin`: another page origin). */
  register(options: CreationOptions, opts: { origin?: string } = {}): Record<string, unknown> {
    const rpId = this.rpIdFor(options.rp.id);
    if (options.excludeCredentials?.some((c) => this.credentials.some((k) => b64u(k.id) === c.id))) {
      throw Object.assign(new Error("credential already registered"), { name: "InvalidStateError" });
    }
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const cose = cborEncode(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, "base64url")],
        [-3, Buffer.from(jwk.y!, "base64url")],
      ]),
    );
    const id = crypto.randomBytes(32);
    const cred: SoftCredential = { id, rpId, userHandle: options.user.id, privateKey, publicKey, signCount: 0 };
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      crypto.createHash("sha256").update(rpId).digest(),
      Buffer.from([0x45]), // UP | UV | AT
      Buffer.alloc(4), // counter 0
      Buffer.alloc(16), // AAGUID (none)
      idLen,
      id,
      cose,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin: opts.origin ?? this.origin, crossOrigin: false }),
    );
    const attestationObject = cborEncode({ fmt: "none", attStmt: {}, authData });
    this.credentials.push(cred);
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        attestationObject: b64u(attestationObject),
        transports: ["internal"],
      },
    };
  }

  /**
   * navigator.credentials.get(): an assertion by the first of our credentials that the options allow (or by `use`,
   * whatever the options say — to play a removed or foreign credential). Options for tampering: another origin or
   * challenge in clientDataJSON, a counter value.
   */
  authenticate(
    options: RequestOptions,
    opts: { use?: SoftCredential; origin?: string; challenge?: string; counter?: number } = {},
  ): Record<string, unknown> {
    const rpId = this.rpIdFor(options.rpId);
    const allowed = options.allowCredentials?.map((c) => c.id);
    const cred = opts.use ?? this.credentials.find((c) => c.rpId === rpId && (!allowed?.length || allowed.includes(b64u(c.id))));
    if (!cred) throw Object.assign(new Error("no credential for these options"), { name: "NotAllowedError" });
    if (opts.counter !== undefined) cred.signCount = opts.counter;
    else if (this.countSignatures) cred.signCount += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.countSignatures || opts.counter !== undefined ? cred.signCount : 0);
    const authData = Buffer.concat([crypto.createHash("sha256").update(cred.rpId).digest(), Buffer.from([0x05]), counter]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: "webauthn.get",
        challenge: opts.challenge ?? options.challenge,
        origin: opts.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const signature = crypto.sign(
      "sha256",
      Buffer.concat([authData, crypto.createHash("sha256").update(clientDataJSON).digest()]),
      cred.privateKey,
    );
    return {
      id: b64u(cred.id),
      rawId: b64u(cred.id),
      type: "public-key",
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: cred.userHandle,
      },
    };
  }
}
