import { getDb } from "~/utils/db.server";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { getLang } from "~/utils/request.server";
import { contactChannels, joinChoices, otherWaysToFile, type ContactChannel } from "~/lib/org-contact";

/** No JavaScript on the home page (app/root.tsx): links and the language form work without it, so phones get a light first page. */
export const handle = { hydrate: false, i18n: ["stats"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const org = await getOrgProfile(getDb());
  const lang = getLang(request);
  // Only the channels the organisation really has: never an invitation to call or use LINE without a number or ID.
  return json({ orgName: lang === "en" ? org.name_en : org.name_th, slaDays: org.sla_days, channels: contactChannels(org, lang) });
}

export default function Home() {
  const { orgName, slaDays, channels } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const ts = useTranslation("stats").t;
  const ways = otherWaysToFile(channels).map((w) => t(`home.ways.${w}`));
  const fileStep =
    ways.length > 0 ? t("home.stepFileWays", { ways: joinChoices(ways, t("home.waysJoin"), t("home.waysLast")) }) : t("home.noChannels");
  const steps = [fileStep, ...(t("home.steps", { returnObjects: true, days: slaDays }) as string[])];
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
      {channels.length > 0 ? <ContactSection channels={channels} /> : null}
    </>
  );
}

/** The organisation's own channels: only those it has given (phone, e-mail, LINE, the office and its hours). */
function ContactSection({ channels }: { channels: ContactChannel[] }) {
  const { t } = useTranslation();
  return (
    <section className="card contact-channels" aria-labelledby="contact-title" data-testid="contact-channels">
      <h2 id="contact-title">{t("home.contactTitle")}</h2>
      <dl className="facts">
        {channels.map((c) =>
          c.kind === "office" ? (
            <div key={c.kind} data-channel={c.kind}>
              <dt>{t("home.office")}</dt>
              <dd>
                {c.value}
                {c.hours ? (
                  <>
                    <br />
                    {t("home.hours")}: {c.hours}
                  </>
                ) : null}
              </dd>
            </div>
          ) : (
            <div key={c.kind} data-channel={c.kind}>
              <dt>{t(`home.${c.kind}`)}</dt>
              <dd>
                <a href={c.href} rel={c.kind === "line" ? "noopener noreferrer" : undefined}>
                  {c.value}
                </a>
              </dd>
            </div>
          ),
        )}
      </dl>
    </section>
  );
}
