/**
 * POST /staff/webauthn/options — the options (with a fresh challenge, stored against the session) the browser needs
 * to add a passkey (`purpose=register`) or to sign in with one (`purpose=authenticate`). JSON, for the pages' own
 * script (app/components/passkey.tsx); CSRF token required like every POST.
 *
 * - register: a fully signed-in person (/staff/passkeys), or a session that passed the password only and whose person
 *   has no second factor yet (first-time set-up). A pending session of someone who has a factor gets 403: a stolen
 *   password must not be able to add a passkey.
 * - authenticate: a session that passed the password only, within its time, whose person has a passkey.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { hasSecondFactor } from "~/lib/second-factor";
import { PasskeyError, passkeyAuthenticationOptions, passkeyRegistrationOptions } from "~/models/staff/passkeys.server";
import { secondFactorState } from "~/models/staff/second-factor.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { currentSession } from "~/utils/session.server";

const noStore = { "Cache-Control": "no-store" };

type Failure = { error: "session" | "forbidden" | "too_many" | "none" | "bad_request" };

export function loader() {
  return json<Failure>({ error: "bad_request" }, { status: 405, headers: { ...noStore, Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const s = await currentSession(request, db);
  if (!s || (!s.fullySignedIn && !s.pendingOpen)) return json<Failure>({ error: "session" }, { status: 401, headers: noStore });
  const purpose = form.get("purpose");
  try {
    if (purpose === "register") {
      if (!s.fullySignedIn && hasSecondFactor(await secondFactorState(db, s.staff))) {
        return json<Failure>({ error: "forbidden" }, { status: 403, headers: noStore });
      }
      return json(await passkeyRegistrationOptions(db, s.staff, s.sessionId), { headers: noStore });
    }
    if (purpose === "authenticate") {
      if (s.fullySignedIn) return json<Failure>({ error: "forbidden" }, { status: 409, headers: noStore });
      return json(await passkeyAuthenticationOptions(db, s.staff.id, s.sessionId), { headers: noStore });
    }
    return json<Failure>({ error: "bad_request" }, { status: 400, headers: noStore });
  } catch (e) {
    if (!(e instanceof PasskeyError)) throw e;
    if (e.code === "too_many") return json<Failure>({ error: "too_many" }, { status: 409, headers: noStore });
    return json<Failure>({ error: "none" }, { status: 404, headers: noStore });
  }
}
