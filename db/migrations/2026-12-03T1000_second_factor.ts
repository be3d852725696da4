import { sql, type Kysely } from "kysely";
import { dialectOf } from "../dialects";

/**
 * Second factor for more roles, and passkeys:
 *
 * - second_factor_roles: the roles an administrator has made sign in with a second factor, beyond admin, supervisor
 *   and integrity, which always need one (app/lib/permissions.ts). One row per role that needs it; no row = not
 *   required. Only officer, intake and executive can appear here.
 * - staff_passkeys: WebAuthn credentials (app/models/staff/passkeys.server.ts): the credential id (base64url, unique), its
 *   COSE public key (base64url), the signature counter, the transports the browser reported (JSON array), the name the
 *   person gave it, and when it was added and last used. Nothing here signs anything: the private key never leaves
 *   the person's device.
 * - staff_webauthn_challenges: the one challenge a session may answer (to add a passkey, or to sign in with one),
 *   server-side, tied to the session row (deleted with it), consumed on first use and valid for two minutes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const d = dialectOf(db);
  await sql`create table second_factor_roles (
    role text primary key check (role in ('officer','intake','executive')),
    set_at text not null,
    set_by integer references staff(id) on delete set null
  )`.execute(db);
  await sql`create table staff_passkeys (
    id ${sql.raw(d.autoIdSql)},
    staff_id integer not null references staff(id) on delete cascade,
    credential_id text not null unique,
    public_key text not null,
    counter integer not null default 0 check (counter >= 0),
    transports text not null default '[]',
    name text not null,
    backed_up integer not null default 0,
    created_at text not null,
    last_used_at text
  )`.execute(db);
  await sql`create index staff_passkeys_staff on staff_passkeys (staff_id)`.execute(db);
  await sql`create table staff_webauthn_challenges (
    session_id text primary key references staff_sessions(id) on delete cascade,
    purpose text not null check (purpose in ('register','authenticate')),
    challenge text not null,
    expires_at text not null
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists staff_webauthn_challenges`.execute(db);
  await sql`drop table if exists staff_passkeys`.execute(db);
  await sql`drop table if exists second_factor_roles`.execute(db);
}
