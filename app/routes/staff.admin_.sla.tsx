/** /staff/admin/sla — deadline policies for the organisation, per channel and per category (admins only). */
import { COMPLAINT_CHANNELS } from "~/lib/complaint-status";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { slaPolicySchema } from "~/models/deadlines/admin-forms.server";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary } from "~/components/form";
import { canAdminister } from "~/lib/permissions";
import { listCategories, nameIn } from "~/models/organisation/profile.server";
import { deletePolicy, listPolicies, setPolicy } from "~/models/deadlines/policy-admin.server";
import { casePolicies } from "~/models/deadlines";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["staff", "deadline"] };

const CHANNELS = COMPLAINT_CHANNELS;
const MODES = ["calendar", "working"] as const;

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

const LIMITS = { resolveDays: [1, 365], ackDays: [0, 30], dueSoonDays: [0, 60] } as const;

interface PolicyView {
  resolveDays: number;
  ackDays: number;
  dueSoonDays: number;
  mode: "calendar" | "working";
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const db = getDb();
  const lang = getLang(request);
  const [rows, categories, org] = await Promise.all([
    listPolicies(db),
    listCategories(db, { activeOnly: false }),
    casePolicies(db).then((p) => p.org),
  ]);
  const view = (r: { resolve_days: number; ack_days: number; due_soon_days: number; mode: "calendar" | "working" }): PolicyView => ({
    resolveDays: r.resolve_days,
    ackDays: r.ack_days,
    dueSoonDays: r.due_soon_days,
    mode: r.mode,
  });
  const find = (scope: string, key: string) => rows.find((r) => r.scope === scope && r.scope_key === key);
  const orgView: PolicyView = { resolveDays: org.resolveDays, ackDays: org.ackDays, dueSoonDays: org.dueSoonDays, mode: org.mode };
  return json({
    org: orgView,
    channels: CHANNELS.map((c) => {
      const r = find("channel", c);
      return { key: c, own: r ? view(r) : null };
    }),
    categories: categories.map((c) => {
      const r = find("category", c.code);
      return { key: c.code, name: nameIn(lang, c), own: r ? view(r) : null };
    }),
  });
}

type ActionData = { formId: string; errors: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const db = getDb();
  const values = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const formId = `${values.scope ?? ""}:${values.scopeKey ?? ""}`;
  const p = slaPolicySchema(MODES, LIMITS).safeParse(values);
  if (!p.success) {
    const errors: Record<string, string> = {};
    for (const issue of p.error.issues) {
      const field = String(issue.path[0] ?? "scope");
      errors[field] ??= issue.message.startsWith("deadline:") ? issue.message : "deadline:errors.invalidChoice";
    }
    return json<ActionData>({ formId, errors }, { status: 422 });
  }
  const { scope, scopeKey } = p.data;
  if (scope === "channel" && !(CHANNELS as readonly string[]).includes(scopeKey)) {
    return json<ActionData>({ formId, errors: { scope: "deadline:errors.invalidChoice" } }, { status: 400 });
  }
  if (scope === "category") {
    const cats = await listCategories(db, { activeOnly: false });
    if (!cats.some((c) => c.code === scopeKey))
      return json<ActionData>({ formId, errors: { scope: "deadline:errors.invalidChoice" } }, { status: 400 });
  }
  if (values.intent === "remove") {
    if (scope === "org") return json<ActionData>({ formId, errors: { scope: "deadline:errors.invalidChoice" } }, { status: 400 });
    await deletePolicy(db, scope, scopeKey);
    log.info("sla policy removed", { staffId: admin.id, scope, scopeKey });
    return redirect("/staff/admin/sla?removed=1");
  }
  await setPolicy(db, p.data);
  log.info("sla policy saved", { staffId: admin.id, scope, scopeKey });
  return redirect("/staff/admin/sla?saved=1");
}

function PolicyForm({
  scope,
  scopeKey,
  title,
  policy,
  fallback,
  errors,
}: {
  scope: "org" | "channel" | "category";
  scopeKey: string;
  title: string;
  policy: PolicyView | null;
  fallback: PolicyView;
  errors?: Record<string, string>;
}) {
  const { t } = useTranslation("deadline");
  const p = policy ?? fallback;
  const id = `p-${scope}-${scopeKey || "org"}`.replace(/[^A-Za-z0-9_-]/g, "-");
  const e = errors ?? {};
  const num = (name: "resolveDays" | "ackDays" | "dueSoonDays") => (
    <div className={`field${e[name] ? " has-error" : ""}`}>
      <label htmlFor={`${id}-${name}`}>{t(`sla.${name}`)}</label>
      <input
        id={`${id}-${name}`}
        type="number"
        name={name}
        min={LIMITS[name][0]}
        max={LIMITS[name][1]}
        required
        defaultValue={p[name]}
        aria-invalid={e[name] ? true : undefined}
      />
      {e[name] ? <span className="field-error">{t(e[name], { min: LIMITS[name][0], max: LIMITS[name][1] })}</span> : null}
    </div>
  );
  return (
    <Form method="post" className="card" aria-labelledby={`${id}-title`} data-testid="policy-form" data-scope={scope} data-key={scopeKey}>
      <h3 id={`${id}-title`}>
        {title}{" "}
        {scope === "org" ? null : (
          <span className={`badge ${policy ? "due_soon" : "on_track"}`}>{policy ? t("sla.override") : t("sla.inherits")}</span>
        )}
      </h3>
      <CsrfField />
      <input type="hidden" name="scope" value={scope} />
      <input type="hidden" name="scopeKey" value={scopeKey} />
      <div className="policy-grid">
        {num("resolveDays")}
        {num("ackDays")}
        {num("dueSoonDays")}
        <div className="field">
          <label htmlFor={`${id}-mode`}>{t("sla.mode")}</label>
          <select id={`${id}-mode`} name="mode" defaultValue={p.mode}>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {t(`mode.${m}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p>
        <button type="submit" name="intent" value="save" className="primary">
          {t("sla.save")}
        </button>{" "}
        {scope !== "org" && policy ? (
          <button type="submit" name="intent" value="remove" className="button secondary" formNoValidate>
            {t("sla.remove")}
          </button>
        ) : null}
      </p>
    </Form>
  );
}

export default function SlaAdmin() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("deadline");
  const ts = useTranslation("staff").t;
  const errorsFor = (scope: string, key: string) => (result?.formId === `${scope}:${key}` ? result.errors : undefined);
  const labels = {
    resolveDays: t("sla.resolveDays"),
    ackDays: t("sla.ackDays"),
    dueSoonDays: t("sla.dueSoonDays"),
    mode: t("sla.mode"),
    scope: t("sla.scope"),
  };
  return (
    <>
      <p className="no-print">
        <Link to="/staff/admin">{t("nav.admin")}</Link> · <Link to="/staff/admin/holidays">{t("nav.holidays")}</Link>
      </p>
      <h1>{t("sla.title")}</h1>
      <p className="hint">{t("sla.intro")}</p>
      <p className="hint">{t("clockRules")}</p>
      {!result && search.get("saved") ? (
        <p className="success" role="status">
          {t("sla.saved")}
        </p>
      ) : null}
      {!result && search.get("removed") ? (
        <p className="success" role="status">
          {t("sla.removed")}
        </p>
      ) : null}
      {result ? <ErrorSummary errors={result.errors} labels={labels} /> : null}
      <section aria-labelledby="sla-org">
        <h2 id="sla-org">{t("sla.org")}</h2>
        <PolicyForm scope="org" scopeKey="" title={t("sla.org")} policy={data.org} fallback={data.org} errors={errorsFor("org", "")} />
      </section>
      <section aria-labelledby="sla-ch">
        <h2 id="sla-ch">{t("sla.channels")}</h2>
        {data.channels.map((c) => (
          <PolicyForm
            key={c.key}
            scope="channel"
            scopeKey={c.key}
            title={ts(`channels.${c.key}`)}
            policy={c.own}
            fallback={data.org}
            errors={errorsFor("channel", c.key)}
          />
        ))}
      </section>
      <section aria-labelledby="sla-cat">
        <h2 id="sla-cat">{t("sla.categories")}</h2>
        {data.categories.map((c) => (
          <PolicyForm
            key={c.key}
            scope="category"
            scopeKey={c.key}
            title={c.name}
            policy={c.own}
            fallback={data.org}
            errors={errorsFor("category", c.key)}
          />
        ))}
      </section>
    </>
  );
}
