import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, isRouteErrorResponse, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { Link, NavLink } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CsrfField } from "~/components/form";
import {
  canAccessReports,
  canAdminister,
  canManageReportSettings,
  canReadAuditLog,
  canReadCounterFeedback,
  canRecordIntake,
} from "~/lib/permissions";
import { requireStaff } from "~/utils/session.server";
import { getDb } from "~/utils/db.server";
import { isOrgSetupComplete } from "~/lib/org-contact";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { canViewStatReports } from "~/models/statistics/fiscal-reports.server";
import { appPathname } from "~/utils/request.server";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["staff", "notice", "integrity", "deadline", "escalation", "satisfaction", "statreport", "map"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · Staff" }, { name: "robots", content: "noindex, nofollow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const reports = canAccessReports(staff);
  const url = new URL(request.url);
  const path = appPathname(request).replace(/\/+$/, "");
  // Until the organisation's own contact details and village names are in, an administrator does that first.
  if (canAdminister(staff) && path !== "/staff/setup" && !isOrgSetupComplete(await getOrgProfile(getDb()))) {
    throw redirect(`/staff/setup?redirectTo=${encodeURIComponent(appPathname(request) + url.search)}`);
  }
  // Integrity officers do not handle general complaints: their start page is their own queue.
  if (reports && path === "/staff") throw redirect("/staff/integrity");
  return json({
    me: { id: staff.id, name: staff.name, role: staff.role },
    canIntake: canRecordIntake(staff),
    canAdmin: canAdminister(staff),
    canReports: reports,
    canAudit: canReadAuditLog(staff),
    canReportSettings: canManageReportSettings(staff),
    canBoard: ["admin", "supervisor", "executive"].includes(staff.role),
    canStatReports: canViewStatReports(staff),
    canFeedback: canReadCounterFeedback(staff),
  });
}

export default function StaffLayout() {
  const appHref = useAppPath();
  const { me, canIntake, canAdmin, canReports, canAudit, canReportSettings, canBoard, canStatReports, canFeedback } =
    useLoaderData<typeof loader>();
  const { t } = useTranslation("staff");
  const ti = useTranslation("integrity").t;
  const tn = useTranslation("notice").t;
  const td = useTranslation("deadline").t;
  const tEsc = useTranslation("escalation").t;
  const tSr = useTranslation("statreport").t;
  const tc = useTranslation("common").t;
  const tSat = useTranslation("satisfaction").t;
  const tMap = useTranslation("map").t;
  return (
    <div className="staff-area">
      <nav aria-label={t("nav.label")} className="staff-nav no-print">
        {canReports ? null : (
          <NavLink to="/staff" end>
            {t("nav.queue")}
          </NavLink>
        )}
        {canReports ? (
          <NavLink to="/staff/integrity" end>
            {ti("nav.reports")}
          </NavLink>
        ) : null}
        {canIntake ? <NavLink to="/staff/intake">{t("nav.intake")}</NavLink> : null}
        {canBoard ? <NavLink to="/staff/board">{tn("nav.board")}</NavLink> : null}
        {canStatReports ? <NavLink to="/staff/reports">{tSr("staff.nav")}</NavLink> : null}
        {canFeedback ? <NavLink to="/staff/feedback">{tSat("staff.nav")}</NavLink> : null}
        {canIntake ? (
          <a href={appHref("/feedback/poster")} target="_blank" rel="noopener">
            {tc("nav.feedbackPoster")}
          </a>
        ) : null}
        {canAdmin ? (
          <NavLink to="/staff/admin" end>
            {t("nav.admin")}
          </NavLink>
        ) : null}
        {canAdmin ? <NavLink to="/staff/admin/accounts">{t("nav.accounts")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/privacy">{t("nav.privacy")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/holidays">{td("nav.holidays")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/sla">{td("nav.sla")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/map">{tMap("admin.nav")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/escalation">{tEsc("nav.escalation")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/templates">{tn("nav.templates")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/outbox">{tn("nav.outbox")}</NavLink> : null}
        {canAdmin ? <NavLink to="/staff/admin/security">{t("secondFactor.nav.security")}</NavLink> : null}
        {canReportSettings ? <NavLink to="/staff/integrity/settings">{ti("nav.settings")}</NavLink> : null}
        {canAudit ? <NavLink to="/staff/audit">{ti("nav.audit")}</NavLink> : null}
        <NavLink to="/staff/passkeys">{t("secondFactor.nav.passkeys")}</NavLink>
        <span className="staff-who">
          {t("nav.signedInAs", { name: me.name })} · {me.role === "integrity" ? ti("role") : t(`roles.${me.role}`)}
        </span>
        <NavLink to="/staff/account">{t("nav.account")}</NavLink>
        <Form method="post" action="/staff/logout" reloadDocument className="staff-logout">
          <CsrfField />
          <button type="submit" className="secondary">
            {t("nav.logout")}
          </button>
        </Form>
      </nav>
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation("staff");
  let title = t("errorPage.title");
  let message = t("errorPage.server");
  if (isRouteErrorResponse(error)) {
    const key = typeof error.data?.messageKey === "string" ? error.data.messageKey : null;
    if (error.status === 404) {
      title = t("errorPage.notFoundTitle");
      message = key ? t(key) : t("errorPage.notFound");
    } else if (error.status === 403) {
      title = t("errorPage.forbiddenTitle");
      message = key ? t(key) : typeof error.data?.formError === "string" ? t(`common:${error.data.formError}`) : t("errorPage.forbidden");
    } else if (error.status < 500) {
      title = t("errorPage.badRequestTitle");
      message = key ? t(key) : t("errorPage.badRequest");
    }
  }
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p>
        <Link to="/staff">{t("errorPage.backToQueue")}</Link>
      </p>
    </section>
  );
}
