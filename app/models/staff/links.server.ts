/**
 * One sign-in for a person who works for several organisations (docs/decisions/0016-one-sign-in-across-organisations.md):
 * what a signed-in account does with its links, across organisations. The links themselves are ids in the platform
 * database (app/models/platform/staff-links.server.ts); everything else stays in each organisation's own database and is
 * touched only inside runForSite(that organisation): its accounts, sessions and audit log.
 *
 * - Linking needs both accounts: a code shown to a signed-in account of B (after its password again), typed at A by a
 *   signed-in account there (after A's password). Both audit logs record it.
 * - Switching makes a one-time token at A that the browser posts to B (never in an address); B asks once more (a button)
 *   and starts a session for the linked account, marked with the organisation it came from. The second factor carries
 *   over only when A's session passed its own; B's report keys stay locked until B's own password.
 * - Unlinking (by the person, at either organisation, or by an administrator of either) deletes the link and ends the
 *   sessions switches made, on both sides (every switched-in session of the accounts involved: a chain A → B → C leaves
 *   C's session marked with B). A password change ends the linked accounts' switched-in sessions without cutting. An administrator's password reset or second-factor reset cuts the
 *   account's links first: whoever holds the new credentials must prove the other organisation again.
 * - An installation with one organisation has no links: every function here answers "none".
 */
import argon2 from "argon2";
import type { Kysely } from "kysely";
import type { Database, Staff } from "../../../db/schema";
import { appendAudit } from "~/models/audit/audit.server";
import {
  isLinkedTo,
  issueLinkCode,
  linkedAccounts,
  linkedStaffIds,
  peekLinkCode,
  formatLinkCode,
  peekSwitch,
  redeemLinkCode,
  startSwitch,
  takeSwitch,
  unlinkAccount,
  type StaffAccountRef,
  type SwitchGrant,
} from "~/models/platform/staff-links.server";
import { DomainError } from "~/lib/domain-error";
import { now } from "~/utils/clock.server";
import { activeSite, runForSite, servesSeveralOrganisations } from "~/utils/site-context.server";
import { siteDirectory, type Site } from "~/utils/sites.server";

/** The installation's organisations and the one this request is for; null with one organisation. */
function context(): { here: Site; sites: Site[]; platform: NonNullable<ReturnType<typeof siteDirectory>>["storage"]["platform"] } | null {
  const directory = siteDirectory();
  const active = activeSite();
  if (!directory || !active) return null;
  const here = directory.byOrganisationCode(active.code);
  if (!here) return null;
  return { here, sites: directory.all(), platform: directory.storage.platform };
}

/**
 * Whether a session switched in from `fromOrg` may go on: its account is still linked to an account there. Asked on
 * every request of such a session (only those pay the platform query), so a cut ends them even when the cut stopped
 * before reaching this organisation's sessions (a crash, a database error between the two).
 */
export async function switchedSessionStillLinked(staffId: number, fromOrg: string): Promise<boolean> {
  const c = context();
  if (!c) return false; // a switched session where no organisations are known: nothing vouches for it
  return fromOrg !== c.here.code && isLinkedTo(c.platform, { org: c.here.code, staffId }, fromOrg);
}

/** Ends every session of an account that a switch from a linked account made (its own sign-ins stay). */
export async function endSwitchedSessions(db: Kysely<Database>, staffId: number): Promise<void> {
  await db.deleteFrom("staff_sessions").where("staff_id", "=", staffId).where("switched_from", "is not", null).execute();
}

/** Whether this installation can link accounts (it serves several organisations). */
export function linksAvailable(): boolean {
  return context() !== null;
}

export interface OrganisationName {
  code: string;
  nameTh: string;
  nameEn: string;
}

export interface LinkedAccount extends OrganisationName {
  email: string;
  role: Staff["role"];
  active: boolean;
}

const nameOf = (s: Site): OrganisationName => ({ code: s.code, nameTh: s.record.nameTh, nameEn: s.record.nameEn });

/** Reads or writes another organisation's database: inside its own context, so its caches and keys are its own. */
function inOrganisation<T>(site: Site, work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return runForSite(site, () => work(site.db()));
}

async function checkPassword(staff: Staff, password: unknown): Promise<void> {
  const ok =
    typeof password === "string" &&
    password.length <= 1024 &&
    staff.password_hash !== "" &&
    (await argon2.verify(staff.password_hash, password).catch(() => false));
  if (!ok) throw DomainError.invalid("password", "links.errors.password", { ns: "staff" });
}

function mustHave() {
  const c = context();
  if (!c) throw DomainError.notFound("errors.notFound");
  return c;
}

/** The other organisations' accounts of this person, with their e-mail and role there (each read in its own database). */
export async function accountLinks(staff: Pick<Staff, "id">): Promise<LinkedAccount[]> {
  const c = context();
  if (!c) return [];
  const refs = await linkedAccounts(c.platform, { org: c.here.code, staffId: staff.id });
  const out: LinkedAccount[] = [];
  for (const ref of refs) {
    const site = c.sites.find((s) => s.code === ref.org);
    if (!site) continue;
    const row = await inOrganisation(site, (db) =>
      db.selectFrom("staff").select(["email", "role", "active"]).where("id", "=", ref.staffId).executeTakeFirst(),
    );
    if (row) out.push({ ...nameOf(site), email: row.email, role: row.role, active: row.active === 1 });
  }
  return out;
}

/** The organisations an account could link to (every other one of the installation), by Thai name. */
export function otherOrganisations(): OrganisationName[] {
  const c = context();
  if (!c) return [];
  return c.sites
    .filter((s) => s.code !== c.here.code)
    .map(nameOf)
    .sort((a, b) => a.nameTh.localeCompare(b.nameTh, "th"));
}

/** A link code for this account (after its password again). Audited here. */
export async function makeLinkCode(db: Kysely<Database>, staff: Staff, password: unknown): Promise<{ code: string; expiresAt: string }> {
  const c = mustHave();
  await checkPassword(staff, password);
  const issued = await issueLinkCode(c.platform, { org: c.here.code, staffId: staff.id }, now());
  await appendAudit(db, { actorId: staff.id, actorRole: staff.role, action: "staff.link_code", targetType: "staff", targetId: staff.id });
  return issued;
}

export interface LinkPreview extends OrganisationName {
  /** The link code as shown (XXXX-XXXX-XXXX). */
  linkCode: string;
  email: string;
  name: string;
}

/**
 * Whose account a code from `fromOrg` belongs to, before anything is linked: the page asks "link with this account?"
 * so that a person talked into typing someone else's code sees whose it is. The code stays usable. Refused (DomainError,
 * field `code` or `fromOrg`) as linkWithCode refuses.
 */
export async function previewLink(staff: Pick<Staff, "id">, input: { fromOrg: unknown; code: unknown }): Promise<LinkPreview> {
  const c = mustHave();
  const from = c.sites.find((s) => s.code === input.fromOrg && s.code !== c.here.code);
  if (!from) throw DomainError.invalid("fromOrg", "links.errors.council", { ns: "staff" });
  const ref = await peekLinkCode(c.platform, { fromOrg: from.code, code: input.code }, now());
  const linkCode = formatLinkCode(input.code);
  if (!ref || !linkCode) throw DomainError.invalid("code", "links.errors.code", { ns: "staff" });
  const them = await inOrganisation(from, (db) =>
    db.selectFrom("staff").select(["email", "name", "active"]).where("id", "=", ref.staffId).executeTakeFirst(),
  );
  if (!them || them.active !== 1) throw DomainError.invalid("code", "links.errors.code", { ns: "staff" });
  return { ...nameOf(from), linkCode, email: them.email, name: them.name };
}

/**
 * Links this account (after its password again) with the account at `fromOrg` that was shown `code`. Audited in both
 * organisations' logs.
 */
export async function linkWithCode(
  db: Kysely<Database>,
  staff: Staff,
  input: { fromOrg: unknown; code: unknown; password: unknown },
): Promise<OrganisationName> {
  const c = mustHave();
  const from = c.sites.find((s) => s.code === input.fromOrg && s.code !== c.here.code);
  if (!from) throw DomainError.invalid("fromOrg", "links.errors.council", { ns: "staff" });
  await checkPassword(staff, input.password);
  const other = await redeemLinkCode(c.platform, { org: c.here.code, staffId: staff.id }, { fromOrg: from.code, code: input.code }, now());
  await appendAudit(db, {
    actorId: staff.id,
    actorRole: staff.role,
    action: "staff.link",
    targetType: "staff",
    targetId: staff.id,
    details: { org: other.org, staffId: other.staffId },
  });
  await inOrganisation(from, async (fromDb) => {
    const them = await fromDb.selectFrom("staff").select(["role"]).where("id", "=", other.staffId).executeTakeFirst();
    await appendAudit(fromDb, {
      actorId: other.staffId,
      actorRole: them?.role ?? null,
      action: "staff.link",
      targetType: "staff",
      targetId: other.staffId,
      details: { org: c.here.code, staffId: staff.id },
    });
  });
  return nameOf(from);
}

/**
 * Takes an account out of its links and ends the sessions switches made: its own sessions that came from another
 * organisation, and the linked accounts' sessions that came from this one. Audited in every organisation involved.
 * `by`: the person themselves, or an administrator of this organisation (their id and role), or a reset.
 */
export async function cutLinks(
  db: Kysely<Database>,
  staffId: number,
  by: { actorId: number | null; actorRole: string | null; reason: "person" | "admin" | "password_reset" | "second_factor_reset" },
): Promise<number> {
  const c = context();
  if (!c) {
    // Several organisations but no directory (a command that forgot to register one): never skip a cut silently.
    if (servesSeveralOrganisations()) throw new Error("cutLinks: the installation's organisations are not known here");
    return 0;
  }
  const others = await unlinkAccount(c.platform, { org: c.here.code, staffId });
  if (others.length === 0) return 0;
  await endSwitchedSessions(db, staffId);
  await appendAudit(db, {
    actorId: by.actorId,
    actorRole: by.actorRole,
    action: "staff.unlink",
    targetType: "staff",
    targetId: staffId,
    details: { reason: by.reason, orgs: others.map((o) => o.org) },
  });
  for (const other of others) {
    const site = c.sites.find((s) => s.code === other.org);
    if (!site) continue;
    await inOrganisation(site, async (otherDb) => {
      // Every session a switch made there, not only those from here: a chain (here → B → C) leaves C's marked with B.
      await endSwitchedSessions(otherDb, other.staffId);
      await appendAudit(otherDb, {
        actorId: null,
        actorRole: null,
        action: "staff.unlink",
        targetType: "staff",
        targetId: other.staffId,
        details: { reason: by.reason, org: c.here.code, staffId },
      });
    });
  }
  return others.length;
}

/** The ids of this organisation's accounts linked to another organisation's (for an administrator's list). */
export async function linkedAccountIds(): Promise<Set<number>> {
  const c = context();
  if (!c) return new Set();
  return new Set(await linkedStaffIds(c.platform, c.here.code));
}

export interface SwitchStart {
  token: string;
  /** Where the browser posts it: the target organisation's switch page. */
  action: string;
  /** The target's origin, for the page's form-action. */
  origin: string;
  to: OrganisationName;
}

/** The path of the switch page at an organisation's address. */
export const SWITCH_PATH = "/staff/switch";

/**
 * Starts a switch from this signed-in account to its linked account at `toOrg`: a one-time token for the browser to
 * post there. Audited here. Null when the account has no link there.
 */
export async function beginSwitch(
  db: Kysely<Database>,
  staff: Staff,
  toOrg: unknown,
  session: { mfaVerified: boolean },
): Promise<SwitchStart | null> {
  const c = mustHave();
  const target = c.sites.find((s) => s.code === toOrg && s.code !== c.here.code);
  if (!target) return null;
  const started = await startSwitch(c.platform, { org: c.here.code, staffId: staff.id }, target.code, {
    secondFactor: session.mfaVerified,
    at: now(),
  });
  if (!started) return null;
  await appendAudit(db, {
    actorId: staff.id,
    actorRole: staff.role,
    action: "staff.switch_out",
    targetType: "staff",
    targetId: staff.id,
    details: { org: target.code, staffId: started.to.staffId },
  });
  const base = target.publicUrl;
  return { token: started.token, action: base + SWITCH_PATH, origin: new URL(base).origin, to: nameOf(target) };
}

export interface ArrivingSwitch {
  from: OrganisationName;
  email: string;
  name: string;
  role: Staff["role"];
}

/** What a switch token posted here would do (without using it), or null when it grants nothing here. */
export async function arrivingSwitch(db: Kysely<Database>, token: unknown): Promise<ArrivingSwitch | null> {
  const c = context();
  if (!c) return null;
  const grant = await peekSwitch(c.platform, token, c.here.code, now());
  const from = grant && c.sites.find((s) => s.code === grant.from.org);
  if (!grant || !from) return null;
  const staff = await db
    .selectFrom("staff")
    .select(["email", "name", "role", "active"])
    .where("id", "=", grant.to.staffId)
    .executeTakeFirst();
  if (!staff || staff.active !== 1) return null;
  return { from: nameOf(from), email: staff.email, name: staff.name, role: staff.role };
}

/**
 * Uses a switch token posted here: the linked account of this organisation, for the caller to start its session (with
 * the second factor carried over when the grant says so). Audited here. Null when it grants nothing (used, expired,
 * for another organisation, link cut, account disabled).
 */
export async function completeSwitch(db: Kysely<Database>, token: unknown): Promise<{ staff: Staff; grant: SwitchGrant } | null> {
  const c = context();
  if (!c) return null;
  const grant = await takeSwitch(c.platform, token, c.here.code, now());
  if (!grant) return null;
  const staff = await db.selectFrom("staff").selectAll().where("id", "=", grant.to.staffId).executeTakeFirst();
  if (!staff || staff.active !== 1) return null;
  await appendAudit(db, {
    actorId: staff.id,
    actorRole: staff.role,
    action: "staff.switch_in",
    targetType: "staff",
    targetId: staff.id,
    details: { org: grant.from.org, staffId: grant.from.staffId, secondFactor: grant.secondFactor },
  });
  return { staff, grant };
}

/**
 * After a switch's session was started: whether the link still holds. A cut that ran between the token's use and the
 * new session (they live in different databases) would have missed that session; the caller ends it when this says no.
 */
export async function switchStillLinked(grant: SwitchGrant): Promise<boolean> {
  const c = context();
  if (!c) return false;
  const others = await linkedAccounts(c.platform, grant.to);
  return others.some((o) => o.org === grant.from.org && o.staffId === grant.from.staffId);
}

/**
 * Ends the sessions that switches made at this account's linked accounts (their links stay): after a password change
 * here, whoever used the old password to switch elsewhere is out everywhere.
 */
export async function endSwitchedSessionsElsewhere(staffId: number): Promise<void> {
  const c = context();
  if (!c) return;
  for (const other of await linkedAccounts(c.platform, { org: c.here.code, staffId })) {
    const site = c.sites.find((s) => s.code === other.org);
    if (!site) continue;
    await inOrganisation(site, (db) => endSwitchedSessions(db, other.staffId));
  }
}

export type { StaffAccountRef };
