/**
 * The confirmation and printable receipt (ใบรับเรื่อง) after a complaint is accepted. The receipt comes from a
 * short-lived encrypted cookie set by the form's redirect (see app/models/complaints/receipt-cookie.server.ts); the citizen can clear it
 * from a shared device. Without a receipt the page explains how to follow a case instead.
 */
import { getDb } from "~/utils/db.server";
import { useEffect, useRef } from "react";
import { useHydrated } from "~/components/use-hydrated";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import QRCode from "qrcode";
import { CsrfField } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { getOrgProfile, nameIn } from "~/models/organisation/profile.server";
import { clearReceiptCookie, readReceipt, type Receipt } from "~/models/complaints/receipt-cookie.server";
import { formatThaiDate } from "~/lib/thai-date";
import { lineFollowOffer } from "~/models/line/receipt-offer.server";
import { LineFollow } from "~/components/line-follow";
import { shortWebAddress } from "~/lib/short-address";
import type { Lang } from "~/i18n";
import { publicUrl } from "~/utils/public-url.server";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["complaint", "line"] };

export const meta: MetaFunction = () => [{ title: "ใบรับเรื่อง · Sujarit" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const receipt = readReceipt(request);
  const org = await getOrgProfile(getDb());
  const headers = { "Cache-Control": "no-store" };
  const trackAddress = shortWebAddress(publicUrl(), "/track");
  if (!receipt) return json({ lang, orgName: nameIn(lang, org), receipt: null, qrSvg: "", trackAddress, line: null }, { headers });
  // The QR code carries the reference only: the tracking code is a secret and never goes into an address (a scanner
  // app keeps its history); the citizen types it from the receipt. A fragment (#…) never reaches a server log.
  const trackUrl = `${publicUrl()}/track#ref=${encodeURIComponent(receipt.reference)}`;
  const qrSvg = await QRCode.toString(trackUrl, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  const line = await lineFollowOffer(getDb(), receipt.reference);
  return json({ lang, orgName: nameIn(lang, org), receipt, qrSvg, trackAddress, line }, { headers });
}

/** "I have saved my code": removes the receipt from this browser. */
export async function action({ request }: ActionFunctionArgs) {
  const form = await readFormData(request);
  assertCsrf(request, form);
  return redirect("/", { headers: { "Set-Cookie": clearReceiptCookie() } });
}

export default function ComplaintDone() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("complaint");
  if (!data.receipt) {
    return (
      <div className="done-page">
        <h1>{t("done.noReceiptTitle")}</h1>
        <p>{t("done.noReceipt")}</p>
        <p>
          <Link to="/track" className="button secondary">
            {t("done.trackLink")}
          </Link>
        </p>
      </div>
    );
  }
  return (
    <>
      <Confirmation result={data.receipt} orgName={data.orgName} lang={data.lang} qrSvg={data.qrSvg} trackAddress={data.trackAddress} />
      {data.line ? <LineFollow offer={data.line} /> : null}
    </>
  );
}

function Confirmation({
  result,
  orgName,
  lang,
  qrSvg,
  trackAddress,
}: {
  result: Receipt;
  orgName: string;
  lang: Lang;
  qrSvg: string;
  trackAddress: string;
}) {
  const appHref = useAppPath();
  const { t } = useTranslation("complaint");
  const hydrated = useHydrated();
  const received = formatThaiDate(new Date(result.receivedAt), lang, { withTime: true });
  const due = formatThaiDate(new Date(result.dueAt), lang);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <div className="done-page">
      <h1 ref={headingRef} tabIndex={-1}>
        {t("done.title")}
      </h1>
      <div className="success">
        <p>{t("done.intro")}</p>
      </div>
      <dl className="facts done-facts">
        <dt>{t("done.reference")}</dt>
        <dd>
          <strong className="code-display" data-testid="reference">
            {result.reference}
          </strong>
        </dd>
        <dt>{t("done.trackingCode")}</dt>
        <dd>
          <strong className="code-display" data-testid="tracking-code">
            {result.trackingCode}
          </strong>
        </dd>
        <dt>{t("done.received")}</dt>
        <dd>{received}</dd>
        <dt>{t("done.due")}</dt>
        <dd data-testid="due-date">{due}</dd>
      </dl>
      <div className="warning">
        <p>{t("done.keepCode")}</p>
      </div>
      <h2>{t("done.followTitle")}</h2>
      <p>{t("done.follow")}</p>
      {result.hasEmail ? <p>{t("done.emailSent")}</p> : null}
      {!result.hasContact ? <p className="notice">{t("done.noContact")}</p> : null}
      <p className="no-print actions-row">
        <Link to="/track" className="button secondary">
          {t("done.trackLink")}
        </Link>{" "}
        {hydrated ? (
          <button type="button" className="button" onClick={() => window.print()}>
            {t("done.print")}
          </button>
        ) : null}
      </p>
      {!hydrated ? <p className="hint no-print">{t("done.printHint")}</p> : null}

      <section className="receipt" aria-labelledby="receipt-title">
        <h2 id="receipt-title">{t("receipt.title")}</h2>
        <p className="receipt-org">{orgName}</p>
        <div className="receipt-body">
          <dl className="facts">
            <dt>{t("done.reference")}</dt>
            <dd className="code-small">{result.reference}</dd>
            <dt>{t("done.trackingCode")}</dt>
            <dd className="code-small">{result.trackingCode}</dd>
            <dt>{t("done.received")}</dt>
            <dd>{received}</dd>
            <dt>{t("done.due")}</dt>
            <dd>{due}</dd>
          </dl>
          <figure className="receipt-qr">
            {/* SVG produced server-side by the qrcode library from our own URL (no user text). */}
            <div aria-hidden="true" dangerouslySetInnerHTML={{ __html: qrSvg }} />
            <figcaption>{t("receipt.scan")}</figcaption>
          </figure>
          <p className="receipt-address" data-testid="receipt-address">
            {t("receipt.orVisit")} <strong className="receipt-url">{trackAddress}</strong>
            <br />
            {t("receipt.typeThese")}
          </p>
        </div>
        <p className="hint">{t("receipt.note")}</p>
      </section>
      <Form method="post" className="no-print forget-receipt">
        <CsrfField />
        <p className="hint">{t("done.forgetHint")}</p>
        <button type="submit" className="secondary">
          {t("done.forget")}
        </button>
      </Form>
      <p className="no-print">
        <a href={appHref("/complaints/new")}>{t("done.another")}</a>
      </p>
    </div>
  );
}
