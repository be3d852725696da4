/**
 * POST /staff/admin/privacy/export — one general complaint as the person asked for it (PDPA access request): JSON, or
 * a plain page to print as PDF (format=html). Administrators only; POST with the CSRF token (nothing in a URL);
 * audited (privacy.export). Internal notes are not part of it.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { canAdminister } from "~/lib/permissions";
import { formatThaiDate } from "~/lib/thai-date";
import { exportCase, PrivacyRequestError, type CaseExport } from "~/models/complaints/privacy.server";
import { getOrgProfile, nameIn } from "~/models/organisation/profile.server";
import { getDb } from "~/utils/db.server";
import { assertCsrf, getLang, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";
import { tFor, type Lang } from "~/i18n";
import { escapeHtml } from "~/lib/html";

export async function loader() {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" } });
}

const esc = escapeHtml;

function page(c: CaseExport, org: string, lang: Lang): string {
  const t = tFor(lang, "staff");
  const d = (iso: string | null) => (iso ? esc(formatThaiDate(new Date(iso), lang, { withTime: true })) : "–");
  const row = (label: string, value: string) => `<tr><th scope="row">${esc(label)}</th><td>${esc(value) || "–"}</td></tr>`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(c.reference)}</title><link rel="stylesheet" href="/styles/app.css"><link rel="stylesheet" href="/styles/print.css" media="print"></head><body><main class="container">
<h1>${esc(t("privacy.exportTitle", { org }))}</h1><p>${esc(t("privacy.exportIntro"))}</p>
<table><tbody>
${row(t("privacy.x.reference"), c.reference)}${row(t("privacy.x.received"), d(c.receivedAt))}${row(t("privacy.x.closed"), d(c.closedAt))}${row(t("privacy.x.status"), c.status)}
${row(t("privacy.x.category"), c.category)}${row(t("privacy.x.subject"), c.subject)}${row(t("privacy.x.details"), c.details)}${row(t("privacy.x.landmark"), c.landmark)}
${row(t("privacy.x.location"), c.location ? `${c.location.latitude}, ${c.location.longitude}` : "")}
${row(t("privacy.fields.name"), c.contact.name)}${row(t("privacy.fields.phone"), c.contact.phone)}${row(t("privacy.fields.email"), c.contact.email)}${row(t("privacy.fields.address"), c.contact.address)}
${row(t("privacy.x.result"), c.result)}${row(t("privacy.x.rating"), c.rating ? `${c.rating.score}/5 ${c.rating.comment}` : "")}
${row(t("privacy.x.attachments"), c.attachments.map((a) => a.name).join(", "))}
</tbody></table>
<h2>${esc(t("privacy.x.replies"))}</h2><ul>${c.publicReplies.map((r) => `<li>${d(r.at)}: ${esc(r.text)}</li>`).join("") || "<li>–</li>"}</ul>
<h2>${esc(t("privacy.x.notices"))}</h2><ul>${c.notices.map((n) => `<li>${d(n.at)} (${esc(n.kind)}, ${esc(n.method)}): ${esc(n.text)}</li>`).join("") || "<li>–</li>"}</ul>
</main></body></html>`;
}

export async function action({ request }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  const form = await readFormData(request);
  assertCsrf(request, form);
  const reference = String(form.get("reference") ?? "").slice(0, 40);
  const db = getDb();
  const lang = getLang(request);
  try {
    const c = await exportCase(db, reference, { staffId: staff.id, role: staff.role });
    const safe = c.reference.replace(/[^A-Za-z0-9-]/g, "_");
    if (form.get("format") === "html") {
      return new Response(page(c, nameIn(lang, await getOrgProfile(db)), lang), {
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Cache-Control": "no-store",
          "Content-Disposition": `inline; filename="${safe}.html"`,
        },
      });
    }
    return new Response(JSON.stringify(c, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Disposition": `attachment; filename="${safe}.json"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof PrivacyRequestError) throw json({ messageKey: "privacy.errors.not_found" }, { status: 404 });
    throw e;
  }
}
