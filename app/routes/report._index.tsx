/**
 * /report: the front page of the corruption and misconduct channel (measure 28). What belongs here and what belongs
 * in the general channel, how reporters are protected, what happens and when, anonymous vs confidential, who
 * receives reports (the active integrity officers and the alternate recipient), the proof of filing (with the
 * fingerprint of the portal's signing key, published here so anyone can tell its proofs from forgeries, and a link
 * to /report/verify), how to reach it with Tor Browser (and the onion address, ONION_URL) and the outside channels. Static content plus a small read of the recipients; no form, no
 * JavaScript needed.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { getOrgProfile, nameIn } from "~/models/organisation/profile.server";
import { getIntegritySettings } from "~/models/report/integrity-settings.server";
import { recipientList } from "~/models/report/recipients.server";
import { installationFingerprint } from "~/models/report/proof.server";
import { groupFingerprint } from "~/lib/report-proof";
import { getEnv } from "~/utils/env.server";

export const handle = { i18n: ["report", "proof"] };

export const meta: MetaFunction = () => [{ title: "แจ้งเบาะแสการทุจริต · Sujarit" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const [org, settings, recipients] = await Promise.all([getOrgProfile(db), getIntegritySettings(db), recipientList(db, lang)]);
  return json({
    orgName: nameIn(lang, org),
    // Names and role only (never e-mail addresses): reporters need to know who reads their report.
    officers: recipients.officers.map((o) => ({ name: o.name, role: o.position })),
    alternate: recipients.alternate
      ? { label: recipients.alternate.label || `${recipients.alternate.name} (${recipients.alternate.position})` }
      : null,
    ackDays: settings.ack_days,
    feedbackDays: settings.feedback_days,
    signingFingerprint: groupFingerprint(installationFingerprint()),
    // ONION_URL: the onion service of this channel (deploy/torrc.example), shown with the Tor Browser note.
    onionUrl: getEnv().ONION_URL ?? null,
  });
}

export default function ReportIndex() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("report");
  const { t: tp } = useTranslation("proof");
  const list = (key: string) => t(key, { returnObjects: true }) as string[];
  return (
    <div className="report-page">
      <h1>{t("index.title")}</h1>
      <p className="lead">{t("index.lead", { org: data.orgName })}</p>
      <p className="actions-row">
        <Link to="/report/new" className="button">
          {t("index.start")}
        </Link>
        <Link to="/report/inbox" className="button secondary">
          {t("index.inbox")}
        </Link>
      </p>

      <section aria-labelledby="belongs">
        <h2 id="belongs">{t("index.belongsTitle")}</h2>
        <ul>
          {list("index.belongsItems").map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
        <h3>{t("index.notHereTitle")}</h3>
        <p>{t("index.notHere")}</p>
        <p>
          <Link to="/complaints/new">{t("index.generalLink")}</Link>
        </p>
      </section>

      <section aria-labelledby="protection">
        <h2 id="protection">{t("index.protectionTitle")}</h2>
        <ul>
          {list("index.protectionItems").map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
        <div className="notice">
          <h3>{t("index.safetyTitle")}</h3>
          <ul>
            {list("index.safetyItems").map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      </section>

      <section aria-labelledby="steps">
        <h2 id="steps">{t("index.stepsTitle")}</h2>
        <ol>
          {(
            t("index.steps", {
              returnObjects: true,
              ackDays: data.ackDays,
              feedbackDays: data.feedbackDays,
            }) as string[]
          ).map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="modes">
        <h2 id="modes">{t("index.modesTitle")}</h2>
        <ul>
          <li>{t("index.anonymous")}</li>
          <li>{t("index.confidential")}</li>
        </ul>
      </section>

      <section aria-labelledby="recipients" className="card report-recipients">
        <h2 id="recipients">{t("index.recipientsTitle")}</h2>
        {data.officers.length > 0 ? (
          <>
            <p>{t("index.recipientsIntro")}</p>
            <ul data-testid="integrity-officers">
              {data.officers.map((o, i) => (
                <li key={i}>
                  {o.name} <span className="muted">({o.role})</span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="warning">{t("index.noOfficers")}</p>
        )}
        <p data-testid="alternate-recipient">
          {data.alternate ? t("index.alternateIntro", { label: data.alternate.label }) : t("index.alternateNone")}
        </p>
      </section>

      <section aria-labelledby="proof-of-filing" className="card">
        <h2 id="proof-of-filing">{tp("index.title")}</h2>
        <p>{tp("index.intro")}</p>
        <p>
          {tp("fingerprint.label")}:{" "}
          <code className="digest" lang="en" translate="no" data-testid="signing-fingerprint">
            {data.signingFingerprint}
          </code>
        </p>
        <p className="hint">{tp("fingerprint.purpose")}</p>
        <p>
          <Link to="/report/verify">{tp("index.verifyLink")}</Link>
        </p>
      </section>

      <section aria-labelledby="tor" className="card" data-testid="tor-note">
        <h2 id="tor">{t("index.torTitle")}</h2>
        <p>{t("index.torWhy")}</p>
        <p>{t("index.torHow")}</p>
        {data.onionUrl ? (
          <>
            <p>{t("index.torOnion")}</p>
            <p>
              <code className="digest" lang="en" translate="no" data-testid="onion-url">
                {`${data.onionUrl}/report`}
              </code>
            </p>
          </>
        ) : (
          <p className="hint">{t("index.torNoOnion")}</p>
        )}
      </section>

      <ExternalChannels />

      <p className="actions-row">
        <Link to="/report/new" className="button">
          {t("index.start")}
        </Link>
        <Link to="/report/inbox" className="button secondary">
          {t("index.inbox")}
        </Link>
      </p>
    </div>
  );
}

export function ExternalChannels() {
  const { t } = useTranslation("report");
  return (
    <section aria-labelledby="elsewhere">
      <h2 id="elsewhere">{t("index.elsewhereTitle")}</h2>
      <ul>
        <li>{t("index.nacc")}</li>
        <li>{t("index.damrongdham")}</li>
      </ul>
    </section>
  );
}
