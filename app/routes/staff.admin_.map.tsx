/** /staff/admin/map — where the portal's maps open: the organisation's centre and zoom (admins only). */
export const handle = { i18n: ["map", "staff"] };

import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { CsrfField, ErrorSummary, Field, fieldId } from "~/components/form";
import { LocationPicker } from "~/components/location-map";
import { canAdminister } from "~/lib/permissions";
import { isDomainError } from "~/lib/domain-error";
import { mapCentreSchema, mapSettings, updateMapCentre } from "~/models/organisation/map.server";
import { getDb } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { assertCsrf, readFormData } from "~/utils/request.server";
import { requireStaff } from "~/utils/session.server";

async function requireAdmin(request: Request) {
  const staff = await requireStaff(request);
  if (!canAdminister(staff)) throw json({ messageKey: "errorPage.forbidden" }, { status: 403 });
  return staff;
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const s = await mapSettings(getDb());
  return json({ lat: s.centre.lat, lng: s.centre.lng, zoom: s.zoom, centreSet: s.centreSet, tileUrl: s.tileUrl });
}

type ActionData = { errors: Record<string, string>; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  const form = await readFormData(request);
  assertCsrf(request, form);
  const values = { lat: String(form.get("lat") ?? ""), lng: String(form.get("lng") ?? ""), zoom: String(form.get("zoom") ?? "") };
  const parsed = mapCentreSchema.safeParse(values);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "lat")] ??= issue.message;
    return json<ActionData>({ errors, values }, { status: 422 });
  }
  try {
    await updateMapCentre(getDb(), admin, parsed.data);
  } catch (e) {
    if (isDomainError(e)) return json<ActionData>({ errors: { lat: e.messageKey }, values }, { status: e.status });
    throw e;
  }
  log.info("map centre saved", { staffId: admin.id });
  return redirect("/staff/admin/map?saved=1");
}

export default function MapSettingsPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [search] = useSearchParams();
  const { t } = useTranslation("map");
  const ts = useTranslation("staff").t;
  const v = result?.values ?? {
    lat: data.centreSet ? String(data.lat) : "",
    lng: data.centreSet ? String(data.lng) : "",
    zoom: String(data.zoom),
  };
  const e = result?.errors ?? {};
  const labels = { lat: t("admin.lat"), lng: t("admin.lng"), zoom: t("admin.zoom") };
  return (
    <>
      <p className="no-print">
        <Link to="/staff/admin">{ts("nav.admin")}</Link>
      </p>
      <h1>{t("admin.title")}</h1>
      <p className="hint">{t("admin.intro")}</p>
      {!data.centreSet ? <p className="warning">{t("admin.notSet")}</p> : null}
      {!result && search.get("saved") ? (
        <p className="success" role="status" data-testid="map-saved">
          {t("admin.saved")}
        </p>
      ) : null}
      <ErrorSummary errors={e} labels={labels} />
      <Form method="post" className="card" noValidate>
        <CsrfField />
        <div className="coords">
          <Field name="lat" label={labels.lat} error={e.lat} required>
            {(p) => <input {...p} type="text" inputMode="decimal" autoComplete="off" defaultValue={v.lat} />}
          </Field>
          <Field name="lng" label={labels.lng} error={e.lng} required>
            {(p) => <input {...p} type="text" inputMode="decimal" autoComplete="off" defaultValue={v.lng} />}
          </Field>
          <Field name="zoom" label={labels.zoom} hint={t("admin.zoomHint")} error={e.zoom} required>
            {(p) => <input {...p} type="number" min={5} max={18} defaultValue={v.zoom} />}
          </Field>
        </div>
        <LocationPicker variant="settings" latId={fieldId("lat")} lngId={fieldId("lng")} zoomId={fieldId("zoom")} />
        <p className="hint">{t("admin.tiles", { url: data.tileUrl })}</p>
        <p>
          <button type="submit" className="primary">
            {t("admin.save")}
          </button>
        </p>
      </Form>
    </>
  );
}
