/**
 * Printable A4 poster for the office counter: the organisation's name, a large QR code to /feedback (SVG made on
 * the server by the qrcode library, as on the receipt), the address in text and short Thai/English instructions.
 * Both languages are always shown: the poster hangs in front of everyone. Print styles: public/styles/feedback-poster.css.
 */
import { useHydrated } from "~/components/use-hydrated";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import QRCode from "qrcode";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { getDb } from "~/utils/db.server";
import { getLang } from "~/utils/request.server";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { publicUrl } from "~/utils/public-url.server";

export const handle = { i18n: ["satisfaction"] };

export const links: LinksFunction = () => [{ rel: "stylesheet", href: "/styles/feedback-poster.css" }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: tFor(data?.lang ?? "th", "satisfaction")("poster.metaTitle") }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const org = await getOrgProfile(getDb());
  const url = `${publicUrl()}/feedback`;
  const qrSvg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  const th = tFor("th", "satisfaction");
  const en = tFor("en", "satisfaction");
  const text = (t: typeof th) => ({
    heading: t("poster.heading"),
    lead: t("poster.lead"),
    steps: t("poster.steps", { returnObjects: true }) as string[],
    urlLabel: t("poster.urlLabel"),
    thanks: t("poster.thanks"),
  });
  return json({ lang, url, qrSvg, orgTh: org.name_th, orgEn: org.name_en, phone: org.phone, th: text(th), en: text(en) });
}

export default function FeedbackPosterRoute() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("satisfaction");
  const hydrated = useHydrated();
  return (
    <>
      <div className="no-print poster-tools">
        <p>{t("poster.toolsIntro")}</p>
        {hydrated ? (
          <button type="button" className="button" onClick={() => window.print()}>
            {t("poster.print")}
          </button>
        ) : (
          <p className="hint">{t("poster.printHint")}</p>
        )}
      </div>
      <article className="feedback-poster" data-testid="feedback-poster">
        <p className="poster-org">
          <span lang="th">{data.orgTh}</span>
          <span lang="en">{data.orgEn}</span>
        </p>
        <h1 className="poster-heading">
          <span lang="th">{data.th.heading}</span>
          <span lang="en">{data.en.heading}</span>
        </h1>
        <p className="poster-lead" lang="th">
          {data.th.lead}
        </p>
        <figure className="poster-qr">
          {/* SVG produced server-side by the qrcode library from our own URL (no user text). */}
          <div
            data-testid="poster-qr"
            role="img"
            aria-label={t("poster.qrLabel", { url: data.url })}
            dangerouslySetInnerHTML={{ __html: data.qrSvg }}
          />
          <figcaption>
            {data.th.urlLabel} / {data.en.urlLabel}
            <br />
            <strong className="poster-url" data-testid="poster-url">
              {data.url}
            </strong>
          </figcaption>
        </figure>
        <div className="poster-steps">
          <ol lang="th">
            {data.th.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
          <ol lang="en">
            {data.en.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        </div>
        <p className="poster-thanks">
          <span lang="th">{data.th.thanks}</span> <span lang="en">{data.en.thanks}</span>
        </p>
        {data.phone ? <p className="poster-phone">☎ {data.phone}</p> : null}
      </article>
    </>
  );
}
