/**
 * Who must sign in with a second factor, and what each person has.
 *
 * - Policy: admin, supervisor and integrity always (app/lib/permissions.ts, FIXED_SECOND_FACTOR_ROLES); officer,
 *   intake and executive when an administrator turns it on at /staff/admin/security (table second_factor_roles,
 *   audited as second_factor.policy). The fixed roles cannot be turned off: they are not in the table at all.
 * - A person who set up a second factor although their role does not need one is asked for it too
 *   (app/lib/second-factor.ts, needsSecondFactor).
 * - Factors: an authenticator app (TOTP, app/models/staff/mfa.server.ts) and passkeys (app/models/staff/passkeys.server.ts);
 *   recovery codes stand in for a lost device.
 */
import type { Kysely } from "kysely";
import type { Database, Staff, StaffRole } from "../../../db/schema";
import {
  canAdminister,
  FIXED_SECOND_FACTOR_ROLES,
  OPTIONAL_SECOND_FACTOR_ROLES,
  isOptionalSecondFactorRole,
  requiresSecondFactor,
  type OptionalSecondFactorRole,
  type SecondFactorPolicy,
} from "~/lib/permissions";
import { needsSecondFactor, type SecondFactorState } from "~/lib/second-factor";
import { appendAudit } from "~/models/audit/audit.server";
import { recoveryCodesLeft } from "~/models/staff/mfa.server";
import { nowIso } from "~/utils/clock.server";
import { DomainError } from "~/lib/domain-error";
import { inTransaction, type Executor } from "../../../db/connection";
import { cutLinks } from "./links.server";

/** The roles an administrator has turned the second factor on for (read on every check: one indexed row per role). */
export async function secondFactorPolicy(db: Executor): Promise<SecondFactorPolicy> {
  const rows = await db.selectFrom("second_factor_roles").select("role").execute();
  return { optionalRoles: rows.map((r) => r.role).filter(isOptionalSecondFactorRole) };
}

/**
 * Turns the second factor on or off for an optional role (audited). Administrators only. Refused (DomainError, field
 * "role", key secondFactor.admin.errors.fixed_role, 422) for admin, supervisor and integrity (always on) and
 * (…bad_role, 400) for anything else. Returns whether anything changed.
 */
export async function setRoleSecondFactor(
  db: Kysely<Database>,
  actor: Pick<Staff, "id" | "role">,
  role: unknown,
  required: boolean,
): Promise<boolean> {
  if (!canAdminister(actor)) throw DomainError.forbidden();
  if (typeof role === "string" && (FIXED_SECOND_FACTOR_ROLES as readonly string[]).includes(role)) {
    throw new DomainError(422, "secondFactor.admin.errors.fixed_role", { field: "role", ns: "staff" });
  }
  if (!isOptionalSecondFactorRole(role)) throw new DomainError(400, "secondFactor.admin.errors.bad_role", { field: "role", ns: "staff" });
  return inTransaction(db, async (trx) => {
    const existing = await trx.selectFrom("second_factor_roles").select("role").where("role", "=", role).executeTakeFirst();
    if (Boolean(existing) === required) return false;
    if (required) await trx.insertInto("second_factor_roles").values({ role, set_at: nowIso(), set_by: actor.id }).execute();
    else await trx.deleteFrom("second_factor_roles").where("role", "=", role).execute();
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "second_factor.policy",
      targetType: "role",
      targetId: role,
      details: { role, required },
    });
    return true;
  });
}

/** What the person has set up (authenticator app, passkeys, recovery codes left). */
export async function secondFactorState(
  db: Executor,
  staff: Pick<Staff, "id" | "totp_enabled_at" | "recovery_codes">,
): Promise<SecondFactorState> {
  const row = await db
    .selectFrom("staff_passkeys")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("staff_id", "=", staff.id)
    .executeTakeFirst();
  return { totp: Boolean(staff.totp_enabled_at), passkeys: Number(row?.n ?? 0), recoveryCodes: recoveryCodesLeft(staff) };
}

/** Whether the person's role needs a second factor under the current policy. */
export async function roleRequiresSecondFactor(db: Executor, staff: Pick<Staff, "role">): Promise<boolean> {
  return requiresSecondFactor(staff, await secondFactorPolicy(db));
}

/**
 * Whether a session of this person must pass a second factor: their role needs one (fixed, or turned on by an
 * administrator), or they set one up anyway.
 */
export async function secondFactorNeeded(
  db: Executor,
  staff: Pick<Staff, "id" | "role" | "totp_enabled_at" | "recovery_codes">,
): Promise<boolean> {
  if (await roleRequiresSecondFactor(db, staff)) return true;
  return needsSecondFactor(false, await secondFactorState(db, staff));
}

/**
 * secondFactorNeeded from facts already read (the session lookup reads them in its own query): whether an administrator
 * turned the second factor on for the person's role, and how many passkeys they have.
 */
export function secondFactorNeededFrom(
  staff: Pick<Staff, "role" | "totp_enabled_at">,
  facts: { roleTurnedOn: boolean; passkeys: number },
): boolean {
  if (requiresSecondFactor(staff, { optionalRoles: facts.roleTurnedOn && isOptionalSecondFactorRole(staff.role) ? [staff.role] : [] }))
    return true;
  return needsSecondFactor(false, { totp: Boolean(staff.totp_enabled_at), passkeys: facts.passkeys });
}

export interface RolePolicyView {
  role: StaffRole;
  fixed: boolean;
  required: boolean;
  /** Active accounts of the role. */
  accounts: number;
  /** Of those, how many have no second factor yet (they set one up at their next sign-in when it is required). */
  withoutFactor: number;
}

/** Every role with its setting and how many of its active accounts have no second factor yet (the admin page). */
export async function rolePolicyOverview(db: Kysely<Database>): Promise<RolePolicyView[]> {
  const policy = await secondFactorPolicy(db);
  const rows = await db
    .selectFrom("staff")
    .select((eb) => [
      "staff.role",
      eb.fn.countAll<number>().as("accounts"),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(
              eb.and([
                eb("staff.totp_enabled_at", "is", null),
                eb.not(
                  eb.exists(
                    eb.selectFrom("staff_passkeys").select("staff_passkeys.id").whereRef("staff_passkeys.staff_id", "=", "staff.id"),
                  ),
                ),
              ]),
            )
            .then(1)
            .else(0)
            .end(),
        )
        .as("without_factor"),
    ])
    .where("staff.active", "=", 1)
    .groupBy("staff.role")
    .execute();
  const byRole = new Map(rows.map((r) => [r.role, r]));
  const order: StaffRole[] = [...FIXED_SECOND_FACTOR_ROLES, ...OPTIONAL_SECOND_FACTOR_ROLES];
  return order.map((role) => {
    const r = byRole.get(role);
    const fixed = !isOptionalSecondFactorRole(role);
    return {
      role,
      fixed,
      required: fixed || policy.optionalRoles.includes(role as OptionalSecondFactorRole),
      accounts: Number(r?.accounts ?? 0),
      withoutFactor: Number(r?.without_factor ?? 0),
    };
  });
}

/**
 * Removes every second factor of an account — authenticator app, recovery codes and passkeys — for someone who lost
 * their devices and their recovery codes (the staff CLI's reset): their next sign-in sets one up again. Audited as
 * second_factor.reset by the caller's actor (null actor: the CLI, with the operating-system user in `details`).
 */
export async function resetSecondFactor(
  db: Kysely<Database>,
  staffId: number,
  actor: { id: number | null; role: string | null; details?: Record<string, unknown> },
): Promise<{ passkeysRemoved: number; hadTotp: boolean }> {
  // The next sign-in sets a factor up from scratch: its links to other organisations' accounts are cut first (ADR 0016).
  await cutLinks(db, staffId, { actorId: actor.id, actorRole: actor.role, reason: "second_factor_reset" });
  return inTransaction(db, async (trx) => {
    const before = await trx.selectFrom("staff").select(["totp_enabled_at"]).where("id", "=", staffId).executeTakeFirst();
    if (!before) return { passkeysRemoved: 0, hadTotp: false };
    const removed = await trx.deleteFrom("staff_passkeys").where("staff_id", "=", staffId).executeTakeFirst();
    await trx
      .updateTable("staff")
      .set({ totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null, recovery_codes: null })
      .where("id", "=", staffId)
      .execute();
    const result = { passkeysRemoved: Number(removed.numDeletedRows), hadTotp: Boolean(before.totp_enabled_at) };
    await appendAudit(trx, {
      actorId: actor.id,
      actorRole: actor.role,
      action: "second_factor.reset",
      targetType: "staff",
      targetId: String(staffId),
      details: { ...result, ...(actor.details ?? {}) },
    });
    return result;
  });
}
