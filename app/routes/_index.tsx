import { getDb } from "~/utils/db.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { getLang } from "~/utils/request.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const org = await getOrgProfile(getDb());
  const lang = getLang(request);
  return json({ orgName: lang === "en" ? org.name_en : org.name_th, slaDays: org.sla_days });
}

export default function Home() {
  const { orgName, slaDays } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const ts = useTranslation("stats").t;
  const steps = t("home.steps", { returnObjects: true, days: slaDays }) as string[];
  return (
    <>
      <h1>{t("home.title", { org: orgName })}</h1>
      <p className="lead">{t("home.intro", { days: slaDays })}</p>
      <div className="doors">
        <Link to="/complaints/new" className="door">
          <h2>{t("home.complaintDoorTitle")}</h2>
          <p>{t("home.complaintDoorText")}</p>
          <span className="button">{t("home.complaintDoorCta")}</span>
        </Link>
        <Link to="/report" className="door corruption">
          <h2>{t("home.reportDoorTitle")}</h2>
          <p>{t("home.reportDoorText")}</p>
          <span className="button secondary">{t("home.reportDoorCta")}</span>
        </Link>
      </div>
      <section className="card" aria-labelledby="track-title">
        <h2 id="track-title">{t("home.trackTitle")}</h2>
        <p>{t("home.trackText")}</p>
        <Link to="/track" className="button secondary">
          {t("home.trackCta")}
        </Link>
      </section>
      <section aria-labelledby="process-title">
        <h2 id="process-title">{t("home.processTitle")}</h2>
        <ol>
          {steps.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
        <p>
          <Link to="/stats">{ts("home.link")}</Link>
        </p>
      </section>
    </>
  );
}
