/**
 * Links between staff accounts of different organisations, kept in the platform database
 * (docs/decisions/0016-one-sign-in-across-organisations.md). Only ids: an account is (organisation code, staff id); the
 * accounts of one person share a random person id. Nothing here checks a password or a session: the caller
 * (app/models/staff/links.server.ts) does, on each organisation's own database.
 *
 * - A link code is shown once to a signed-in account of organisation B (12 characters, about 60 bits, kept as sha256,
 *   10 minutes, single use, one open code per account) and typed at organisation A by an account signed in there:
 *   proving A alone, or B alone, links nothing.
 * - A person has at most one account per organisation (so "switch to B" names one account).
 * - A switch token (32 random bytes, kept as sha256, 2 minutes, single use) carries a signed-in account of A to its
 *   linked account at B; it is bound to the person, both accounts and the target organisation, and stops working as
 *   soon as the link is cut.
 */
import crypto from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { PlatformDatabase } from "../../../db/platform";
import { DomainError } from "~/lib/domain-error";

export interface StaffAccountRef {
  org: string;
  staffId: number;
}

export const LINK_CODE_MS = 10 * 60_000;
export const SWITCH_TOKEN_MS = 2 * 60_000;

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 12;

type Platform = Kysely<PlatformDatabase>;

/** A link code as shown: XXXX-XXXX-XXXX from an alphabet without look-alike characters. */
export function generateLinkCode(): string {
  let out = "";
  for (let i = 0; i < CODE_LENGTH; i++) out += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
}

/** Upper-case without spaces and dashes; null unless it can be a link code. */
export function normalizeLinkCode(input: unknown): string | null {
  if (typeof input !== "string" || input.length > 40) return null;
  const s = input.toUpperCase().replace(/[\s-]/g, "");
  return s.length === CODE_LENGTH && [...s].every((c) => CODE_ALPHABET.includes(c)) ? s : null;
}

const codeId = (org: string, normalized: string) => crypto.createHash("sha256").update(`sujarit-link:${org}:${normalized}`).digest("hex");
const tokenId = (token: string) => crypto.createHash("sha256").update(`sujarit-switch:${token}`).digest("hex");

const codeInvalid = () => DomainError.invalid("code", "links.errors.code", { ns: "staff" });

/** Makes a link code for an account (its earlier open code stops working). */
export async function issueLinkCode(platform: Platform, account: StaffAccountRef, at: Date): Promise<{ code: string; expiresAt: string }> {
  const code = generateLinkCode();
  const expiresAt = new Date(at.getTime() + LINK_CODE_MS).toISOString();
  await platform.transaction().execute(async (trx) => {
    await trx.deleteFrom("staff_link_code").where("expires_at", "<=", at.toISOString()).execute();
    await trx.deleteFrom("staff_link_code").where("org_code", "=", account.org).where("staff_id", "=", account.staffId).execute();
    await trx
      .insertInto("staff_link_code")
      .values({
        id: codeId(account.org, normalizeLinkCode(code)!),
        org_code: account.org,
        staff_id: account.staffId,
        expires_at: expiresAt,
      })
      .execute();
  });
  return { code, expiresAt };
}

async function personOf(db: Platform | Transaction<PlatformDatabase>, account: StaffAccountRef): Promise<string | null> {
  const row = await db
    .selectFrom("staff_link")
    .select("person_id")
    .where("org_code", "=", account.org)
    .where("staff_id", "=", account.staffId)
    .executeTakeFirst();
  return row?.person_id ?? null;
}

async function membersOf(db: Platform | Transaction<PlatformDatabase>, personId: string): Promise<StaffAccountRef[]> {
  const rows = await db
    .selectFrom("staff_link")
    .select(["org_code", "staff_id"])
    .where("person_id", "=", personId)
    .orderBy("org_code")
    .execute();
  return rows.map((r) => ({ org: r.org_code, staffId: Number(r.staff_id) }));
}

/** The other accounts of the person this account belongs to (by organisation code); none when it is not linked. */
export async function linkedAccounts(platform: Platform, account: StaffAccountRef): Promise<StaffAccountRef[]> {
  const person = await personOf(platform, account);
  if (!person) return [];
  return (await membersOf(platform, person)).filter((m) => !(m.org === account.org && m.staffId === account.staffId));
}

/** Whether the account belongs to a person who also has an account at organisation `org` (one query). */
export async function isLinkedTo(platform: Platform, account: StaffAccountRef, org: string): Promise<boolean> {
  const row = await platform
    .selectFrom("staff_link as mine")
    .innerJoin("staff_link as theirs", "theirs.person_id", "mine.person_id")
    .select("theirs.org_code")
    .where("mine.org_code", "=", account.org)
    .where("mine.staff_id", "=", account.staffId)
    .where("theirs.org_code", "=", org)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whose a link code is (without using it up), so the person can see what they are about to link; null when invalid. */
export async function peekLinkCode(
  platform: Platform,
  input: { fromOrg: string; code: unknown },
  at: Date,
): Promise<StaffAccountRef | null> {
  const normalized = normalizeLinkCode(input.code);
  if (!normalized) return null;
  const row = await platform
    .selectFrom("staff_link_code")
    .select(["org_code", "staff_id", "expires_at"])
    .where("id", "=", codeId(input.fromOrg, normalized))
    .where("org_code", "=", input.fromOrg)
    .executeTakeFirst();
  if (!row || Date.parse(row.expires_at) <= at.getTime()) return null;
  return { org: row.org_code, staffId: Number(row.staff_id) };
}

/** A link code as it is shown (XXXX-XXXX-XXXX), from however it was typed; null when it cannot be one. */
export function formatLinkCode(input: unknown): string | null {
  const n = normalizeLinkCode(input);
  return n ? `${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8)}` : null;
}

/** The ids of an organisation's accounts that are linked to another organisation's. */
export async function linkedStaffIds(platform: Platform, org: string): Promise<number[]> {
  const rows = await platform.selectFrom("staff_link").select("staff_id").where("org_code", "=", org).execute();
  return rows.map((r) => Number(r.staff_id));
}

/**
 * Redeems the code another organisation's account was shown, at `account` (signed in at its own organisation): both
 * become one person (with whoever either was already linked to). Refused (DomainError, field `code`) for a wrong,
 * used or expired code, a code of the same organisation, or when the result would give the person two accounts at one
 * organisation. Returns the account the code belonged to.
 */
export async function redeemLinkCode(
  platform: Platform,
  account: StaffAccountRef,
  input: { fromOrg: string; code: unknown },
  at: Date,
): Promise<StaffAccountRef> {
  const normalized = normalizeLinkCode(input.code);
  if (!normalized || input.fromOrg === account.org) throw codeInvalid();
  try {
    return await redeemIn(platform, account, input.fromOrg, normalized, at);
  } catch (e) {
    // Two codes redeemed into one person at the same moment (PostgreSQL, read committed): both passed the check, the
    // unique keys stopped the second. The same answer as the check's.
    if (isUniqueViolation(e)) throw DomainError.invalid("code", "links.errors.twoAtOneCouncil", { ns: "staff" });
    throw e;
  }
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return err?.code === "23505" || (typeof err?.code === "string" && err.code.startsWith("SQLITE_CONSTRAINT"));
}

async function redeemIn(
  platform: Platform,
  account: StaffAccountRef,
  fromOrg: string,
  normalized: string,
  at: Date,
): Promise<StaffAccountRef> {
  return platform.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom("staff_link_code")
      .where("id", "=", codeId(fromOrg, normalized))
      .where("org_code", "=", fromOrg)
      .returning(["org_code", "staff_id", "expires_at"])
      .executeTakeFirst();
    if (!row || Date.parse(row.expires_at) <= at.getTime()) throw codeInvalid();
    const other: StaffAccountRef = { org: row.org_code, staffId: Number(row.staff_id) };
    const mine = await personOf(trx, account);
    const theirs = await personOf(trx, other);
    if (mine && mine === theirs) return other;
    const members = [...(mine ? await membersOf(trx, mine) : [account]), ...(theirs ? await membersOf(trx, theirs) : [other])];
    const orgs = members.map((m) => m.org);
    if (new Set(orgs).size !== orgs.length) throw DomainError.invalid("code", "links.errors.twoAtOneCouncil", { ns: "staff" });
    const person = mine ?? theirs ?? crypto.randomBytes(16).toString("hex");
    const linkedAt = at.toISOString();
    if (mine && theirs) await trx.updateTable("staff_link").set({ person_id: person }).where("person_id", "=", theirs).execute();
    for (const m of [account, other]) {
      if ((m === account ? mine : theirs) === null) {
        await trx
          .insertInto("staff_link")
          .values({ org_code: m.org, staff_id: m.staffId, person_id: person, linked_at: linkedAt })
          .execute();
      }
    }
    return other;
  });
}

/**
 * Takes an account out of its person (a person left with one account is dissolved too). Returns the accounts it was
 * linked to, so their organisations can record it and end the sessions switches made.
 */
export async function unlinkAccount(platform: Platform, account: StaffAccountRef): Promise<StaffAccountRef[]> {
  return platform.transaction().execute(async (trx) => {
    const person = await personOf(trx, account);
    if (!person) return [];
    const others = (await membersOf(trx, person)).filter((m) => !(m.org === account.org && m.staffId === account.staffId));
    await trx.deleteFrom("staff_link").where("org_code", "=", account.org).where("staff_id", "=", account.staffId).execute();
    if (others.length === 1) await trx.deleteFrom("staff_link").where("person_id", "=", person).execute();
    await trx.deleteFrom("staff_switch").where("person_id", "=", person).execute();
    return others;
  });
}

export interface SwitchGrant {
  personId: string;
  from: StaffAccountRef;
  to: StaffAccountRef;
  secondFactor: boolean;
}

/** A switch token from `account` to its linked account at `toOrg`, or null when there is none. */
export async function startSwitch(
  platform: Platform,
  account: StaffAccountRef,
  toOrg: string,
  opts: { secondFactor: boolean; at: Date },
): Promise<{ token: string; to: StaffAccountRef } | null> {
  const person = await personOf(platform, account);
  if (!person) return null;
  const to = (await membersOf(platform, person)).find((m) => m.org === toOrg && m.org !== account.org);
  if (!to) return null;
  const token = crypto.randomBytes(32).toString("base64url");
  await platform.deleteFrom("staff_switch").where("expires_at", "<=", opts.at.toISOString()).execute();
  await platform
    .insertInto("staff_switch")
    .values({
      id: tokenId(token),
      person_id: person,
      from_org: account.org,
      from_staff_id: account.staffId,
      to_org: to.org,
      to_staff_id: to.staffId,
      second_factor: opts.secondFactor ? 1 : 0,
      expires_at: new Date(opts.at.getTime() + SWITCH_TOKEN_MS).toISOString(),
    })
    .execute();
  return { token, to };
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

async function stillLinked(db: Platform | Transaction<PlatformDatabase>, grant: SwitchGrant): Promise<boolean> {
  const [a, b] = await Promise.all([personOf(db, grant.from), personOf(db, grant.to)]);
  return a === grant.personId && b === grant.personId;
}

function grantOf(row: PlatformDatabase["staff_switch"]): SwitchGrant {
  return {
    personId: row.person_id,
    from: { org: row.from_org, staffId: Number(row.from_staff_id) },
    to: { org: row.to_org, staffId: Number(row.to_staff_id) },
    secondFactor: Number(row.second_factor) === 1,
  };
}

/** What a switch token grants at `toOrg` without using it up (the confirmation page), or null. */
export async function peekSwitch(platform: Platform, token: unknown, toOrg: string, at: Date): Promise<SwitchGrant | null> {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return null;
  const row = await platform
    .selectFrom("staff_switch")
    .selectAll()
    .where("id", "=", tokenId(token))
    .where("to_org", "=", toOrg)
    .executeTakeFirst();
  if (!row || Date.parse(row.expires_at) <= at.getTime()) return null;
  const grant = grantOf(row);
  return (await stillLinked(platform, grant)) ? grant : null;
}

/** Uses a switch token up (once, at its target organisation, before it expires, while the link holds), or null. */
export async function takeSwitch(platform: Platform, token: unknown, toOrg: string, at: Date): Promise<SwitchGrant | null> {
  if (typeof token !== "string" || !TOKEN_RE.test(token)) return null;
  return platform.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom("staff_switch")
      .where("id", "=", tokenId(token))
      .where("to_org", "=", toOrg)
      .returningAll()
      .executeTakeFirst();
    if (!row || Date.parse(row.expires_at) <= at.getTime()) return null;
    const grant = grantOf(row);
    return (await stillLinked(trx, grant)) ? grant : null;
  });
}
