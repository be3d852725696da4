/**
 * /staff/audit — the audit log (admins and integrity officers): who did what, when, on which record, and whether the
 * hash chain is intact. Entries about a corruption report are readable only by that report's recipients, on the
 * report's own page; here everyone — administrators, and an officer a report concerns — sees only how many actions
 * the corruption channel had per day (app/models/report/channel-audit.server.ts).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { canReadAuditLog } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import { listAudit, verifyAuditChain } from "~/models/audit/audit.server";
import { channelActivityByDay } from "~/models/report/channel-audit.server";
import { formatThaiDateKey } from "~/lib/thai-date";
import { listStaff } from "~/models/staff/staff.server";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["staff", "integrity"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · บันทึกการตรวจสอบ / Audit log" }, { name: "robots", content: "noindex, nofollow" }];

const PAGE = 50;
const AUDIT_ACTIONS = [
  "report.denied",
  "report.purge",
  "settings.update",
  "login.totp",
  "totp.setup",
  "totp.reset",
  "login.passkey",
  "passkey.register",
  "passkey.rename",
  "passkey.remove",
  "second_factor.policy",
  "second_factor.reset",
  "stat_report.save",
  "stat_report.submit",
  "stat_report.approve",
  "stat_report.withdraw",
  "line.settings",
] as const;

/** Only scalar facts of the details JSON are shown (ids, statuses, counts); nested values are left out. */
function detailText(raw: string): string {
  try {
    const d = JSON.parse(raw) as Record<string, unknown>;
    return Object.entries(d)
      .filter(
        ([, v]) =>
          v === null || ["string", "number", "boolean"].includes(typeof v) || (Array.isArray(v) && v.every((x) => typeof x === "string")),
      )
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`)
      .join(" · ")
      .slice(0, 300);
  } catch {
    return "";
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!canReadAuditLog(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  const db = getDb();
  const lang = getLang(request);
  const url = new URL(request.url);
  const beforeRaw = url.searchParams.get("before");
  const before = beforeRaw && /^\d{1,12}$/.test(beforeRaw) ? Number(beforeRaw) : undefined;
  const actionRaw = url.searchParams.get("action") ?? "";
  const action = (AUDIT_ACTIONS as readonly string[]).includes(actionRaw) ? actionRaw : undefined;
  const [rows, chain, people, channel] = await Promise.all([
    listAudit(db, { limit: PAGE + 1, beforeId: before, action, withoutReportEntries: true }),
    verifyAuditChain(db),
    listStaff(db),
    channelActivityByDay(db, { days: 60 }),
  ]);
  const names = new Map(people.map((p) => [p.id, p.name]));
  const page = rows.slice(0, PAGE);
  return json(
    {
      chain,
      action: action ?? "",
      next: rows.length > PAGE ? page[page.length - 1].id : null,
      first: before === undefined,
      channel: channel.map((c) => ({ day: formatThaiDateKey(c.day, lang, { short: true }), actions: c.actions })),
      rows: page.map((r) => ({
        id: r.id,
        at: formatThaiDate(new Date(r.at), lang, { withTime: true, short: true }),
        actor: r.actor_id === null ? null : (names.get(r.actor_id) ?? `#${r.actor_id}`),
        role: r.actor_role,
        action: r.action,
        target: `${r.target_type}${r.target_id ? ` #${r.target_id}` : ""}`,
        details: detailText(r.details),
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function AuditPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("integrity");
  const ts = useTranslation("staff").t;
  const [params] = useSearchParams();
  const href = (before: number | null) => {
    const p = new URLSearchParams(params);
    if (before === null) p.delete("before");
    else p.set("before", String(before));
    return `/staff/audit?${p.toString()}`;
  };
  const roleName = (r: string | null) => (!r ? "" : r === "integrity" ? t("role") : r === "cli" ? t("audit.cli") : ts(`roles.${r}`));
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("audit.title")}</h1>
      <p>{t("audit.intro")}</p>
      {data.chain.ok ? (
        <p className="notice success" data-testid="chain-status" data-ok="true">
          {t("audit.chainOk", { count: data.chain.checked })}
        </p>
      ) : (
        <p className="notice warning" role="alert" data-testid="chain-status" data-ok="false">
          {t("audit.chainBroken", {
            id: data.chain.firstBadId ?? "?",
            reason: data.chain.reason ? t(`audit.reason.${data.chain.reason}`) : "",
          })}
        </p>
      )}
      <Form method="get" className="filters no-print" aria-label={t("audit.filter")}>
        <div className="field">
          <label htmlFor="f-action">{t("audit.action")}</label>
          <select id="f-action" name="action" defaultValue={data.action}>
            <option value="">{t("audit.anyAction")}</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`audit.actions.${a.replace(".", "_")}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <button type="submit" className="primary">
            {t("audit.show")}
          </button>
        </div>
      </Form>
      {data.rows.length === 0 ? (
        <p className="notice">{t("audit.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <caption className="visually-hidden">{t("audit.title")}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t("audit.when")}</th>
                <th scope="col">{t("audit.who")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.target")}</th>
                <th scope="col">{t("audit.details")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.id} data-testid="audit-row" data-action={r.action}>
                  <td>{r.id}</td>
                  <td>{r.at}</td>
                  <td>
                    {r.actor ?? (
                      <span className="muted">
                        {r.role === "cli" ? t("audit.cli") : r.role === "reporter" ? t("audit.reporter") : t("audit.system")}
                      </span>
                    )}
                    {r.actor && r.role ? <span className="muted"> · {roleName(r.role)}</span> : null}
                  </td>
                  <td>{t(`audit.actions.${r.action.replace(".", "_")}`, { defaultValue: r.action })}</td>
                  <td>{r.target}</td>
                  <td className="audit-details">{r.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section aria-labelledby="channel-title" className="card">
        <h2 id="channel-title">{t("audit.channelTitle")}</h2>
        <p className="hint">{t("audit.channelHint")}</p>
        {data.channel.length === 0 ? (
          <p className="muted">{t("audit.channelNone")}</p>
        ) : (
          <table data-testid="channel-activity">
            <thead>
              <tr>
                <th scope="col">{t("audit.channelDay")}</th>
                <th scope="col">{t("audit.channelActions")}</th>
              </tr>
            </thead>
            <tbody>
              {data.channel.map((c) => (
                <tr key={c.day}>
                  <td>{c.day}</td>
                  <td>{c.actions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <nav className="pager" aria-label={t("audit.pager")}>
        {data.first ? null : <Link to={href(null)}>{t("audit.newest")}</Link>}
        {data.next !== null ? <Link to={href(data.next)}>{t("audit.older")}</Link> : null}
      </nav>
    </section>
  );
}
