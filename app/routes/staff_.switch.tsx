/**
 * /staff/switch — from a signed-in account to its linked account at another organisation of this installation
 * (docs/decisions/0016-one-sign-in-across-organisations.md). Three posts, each a whole page (no client navigation: the
 * second leaves for another site, and its page's form-action must allow exactly that site):
 *
 *   1. start (at A, CSRF, signed in): a one-time token for the linked account at B; the page is a form that posts it to
 *      B's /staff/switch — in the form's body, never in an address;
 *   2. arrive (at B, from A's page: the one cross-site post the server lets through, and only from another organisation's
 *      host name, scripts/http.ts): shows whose account the person is about to use, without using the token;
 *   3. confirm (at B, CSRF): uses the token up and starts B's session (second factor carried over only when A's session
 *      passed its own; report keys locked until B's password).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import {
  arrivingSwitch,
  beginSwitch,
  completeSwitch,
  endSwitchedSessions,
  linksAvailable,
  switchStillLinked,
} from "~/models/staff/links.server";
import { getDb } from "~/utils/db.server";
import { FORM_ACTION_HEADER, passThroughHeaders } from "~/utils/route-headers";
import { limiter } from "~/utils/rate-limit.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { createSession, currentSession, holdsReportKeys, requireStaff } from "~/utils/session.server";
import { log } from "~/utils/logger.server";

export const handle = { i18n: ["staff"] };

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "สุจริต · สลับหน่วยงาน / Switch council" }, { name: "robots", content: "noindex" }];

/** Posts of one client (start, arrive and confirm alike). */
const switchLimiter = () => limiter("staff-switch", 30, 10 * 60_000);

export async function loader(_: LoaderFunctionArgs) {
  return json({}, { headers: { "Cache-Control": "no-store" } });
}

type ActionData =
  | { step: "handoff"; action: string; token: string; to: { nameTh: string; nameEn: string } }
  | { step: "confirm"; token: string; from: { nameTh: string; nameEn: string }; email: string; name: string; keys: boolean }
  | { step: "expired" };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readFormData(request);
  const intent = form.get("intent");
  if (!switchLimiter().hit(context.clientAddress ?? "unknown").allowed) {
    return json<ActionData>({ step: "expired" }, { status: 429, headers: { "Cache-Control": "no-store" } });
  }
  const db = getDb();
  // An installation with one organisation has no other council to switch to.
  if (!linksAvailable()) throw json({ messageKey: "errors.notFound" }, { status: 404 });
  if (intent === "start") {
    assertCsrf(request, form);
    const staff = await requireStaff(request);
    const session = await currentSession(request);
    const started = await beginSwitch(db, staff, form.get("to"), { mfaVerified: session?.mfaVerified ?? false });
    if (!started) return redirect("/staff/account?error=notLinked");
    log.info("staff switch started", { staffId: staff.id });
    return json<ActionData>(
      { step: "handoff", action: started.action, token: started.token, to: started.to },
      { headers: { "Cache-Control": "no-store", [FORM_ACTION_HEADER]: started.origin } },
    );
  }
  if (intent === "arrive") {
    const arriving = await arrivingSwitch(db, form.get("token"));
    if (!arriving) return json<ActionData>({ step: "expired" }, { status: 410, headers: { "Cache-Control": "no-store" } });
    const token = String(form.get("token"));
    return json<ActionData>(
      { step: "confirm", token, from: arriving.from, email: arriving.email, name: arriving.name, keys: holdsReportKeys(arriving) },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  if (intent === "confirm") {
    assertCsrf(request, form);
    const done = await completeSwitch(db, form.get("token"));
    if (!done) return json<ActionData>({ step: "expired" }, { status: 410, headers: { "Cache-Control": "no-store" } });
    const cookie = await createSession(request, done.staff, db, {
      switchedFrom: done.grant.from.org,
      mfaVerified: done.grant.secondFactor,
    });
    // The link was cut between the token's use and the new session (two databases): end what the cut could not see.
    if (!(await switchStillLinked(done.grant))) {
      await endSwitchedSessions(db, done.staff.id);
      return json<ActionData>({ step: "expired" }, { status: 410, headers: { "Cache-Control": "no-store" } });
    }
    log.info("staff switch completed", { staffId: done.staff.id });
    return redirect("/staff", { headers: { "Set-Cookie": cookie } });
  }
  return json<ActionData>({ step: "expired" }, { status: 400, headers: { "Cache-Control": "no-store" } });
}

export default function Switch() {
  const data = useActionData<typeof action>() as ActionData | undefined;
  const { t, i18n } = useTranslation("staff");
  const nameOf = (o: { nameTh: string; nameEn: string }) => (i18n.language === "en" ? o.nameEn : o.nameTh);
  if (data?.step === "handoff") {
    const name = nameOf(data.to);
    return (
      <section className="card login-card" aria-labelledby="switch-title">
        <h1 id="switch-title">{t("switch.handoffTitle", { name })}</h1>
        <p>{t("switch.handoffIntro")}</p>
        {/* A plain form: it leaves for the other organisation's address, which this page's form-action allows. */}
        <form method="post" action={data.action} data-testid="switch-handoff">
          <input type="hidden" name="intent" value="arrive" />
          <input type="hidden" name="token" value={data.token} />
          <button type="submit" className="primary">
            {t("switch.handoffSubmit", { name })}
          </button>
        </form>
        <p>
          <Link to="/staff/account">{t("switch.cancel")}</Link>
        </p>
      </section>
    );
  }
  if (data?.step === "confirm") {
    return (
      <section className="card login-card" aria-labelledby="switch-title">
        <h1 id="switch-title">{t("switch.confirmTitle", { email: data.email })}</h1>
        <p>{t("switch.confirmIntro", { from: nameOf(data.from), name: data.name, email: data.email })}</p>
        {data.keys ? <p className="hint">{t("switch.keysNote")}</p> : null}
        <Form method="post" reloadDocument data-testid="switch-confirm">
          <CsrfField />
          <input type="hidden" name="intent" value="confirm" />
          <input type="hidden" name="token" value={data.token} />
          <button type="submit" className="primary">
            {t("switch.confirmSubmit")}
          </button>
        </Form>
        <p>
          <Link to="/staff/login">{t("switch.cancel")}</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card login-card" aria-labelledby="switch-title">
      <h1 id="switch-title">{t("nav.account")}</h1>
      <div className={data?.step === "expired" ? "error-summary" : undefined} role={data?.step === "expired" ? "alert" : undefined}>
        <p>{t(data?.step === "expired" ? "switch.expired" : "switch.idle")}</p>
      </div>
      <p>
        <Link to="/staff/account">{t("nav.account")}</Link>
      </p>
    </section>
  );
}
