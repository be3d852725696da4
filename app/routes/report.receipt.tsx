/**
 * /report/receipt: shows a new report's 16-digit receipt ONCE. The form's redirect leaves the receipt in an
 * encrypted one-time cookie (Path=/report); this page reads it and clears it in the same response, so a reload, the
 * back button or the next person at the same device sees only "the receipt is no longer shown". The URL says
 * nothing about the report.
 *
 * The receipt can be copied (button, when JavaScript runs) and printed. A signed proof of filing can be downloaded
 * (POST /report/receipt-file, with the receipt in a hidden field of a plain form: the receipt is already on screen);
 * the file holds neither the receipt nor the report, which the page says, and the page shows the fingerprint of the
 * portal's signing key (the one /report publishes) so the reporter can compare it with the file.
 */
import { useEffect, useRef, useState } from "react";
import { useHydrated } from "~/components/use-hydrated";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { CsrfField } from "~/components/form";
import { useTranslation } from "~/components/i18n";
import { getLang } from "~/utils/request.server";
import { clearReportReceiptCookie, readReportReceipt } from "~/models/report/cookies.server";
import { installationFingerprint } from "~/models/report/proof.server";
import { formatReceipt } from "~/lib/report-receipt";
import { bangkokReceivedOn, groupFingerprint } from "~/lib/report-proof";
import { formatThaiDate, formatThaiDateKey, type Lang } from "~/lib/thai-date";
import { useAppPath } from "~/components/app-path";

export const handle = { i18n: ["report", "proof"] };

export const meta: MetaFunction = () => [{ title: "เลขรับแจ้ง · Sujarit" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = getLang(request);
  const receipt = readReportReceipt(request);
  if (!receipt) return json({ lang, receipt: null, fingerprint: null });
  return json(
    {
      lang,
      // Shown next to the download: the same fingerprint is in the proof file (signing-key-sha256).
      fingerprint: groupFingerprint(installationFingerprint()),
      receipt: {
        receipt: receipt.receipt,
        receivedAt: receipt.receivedAt,
        duplicate: receipt.duplicate,
        recipients: receipt.recipients,
      },
    },
    { headers: { "Set-Cookie": clearReportReceiptCookie() } },
  );
}

/** The Buddhist-calendar date a report was received, from a day-precision or full-time received_at. */
function receivedOnLabel(receivedAt: string, lang: Lang): string {
  try {
    return formatThaiDateKey(bangkokReceivedOn(receivedAt), lang);
  } catch {
    return formatThaiDate(new Date(receivedAt), lang);
  }
}

export default function ReportReceipt() {
  const appHref = useAppPath();
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("report");
  const { t: tp } = useTranslation("proof");
  const hydrated = useHydrated();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  if (!data.receipt || (!data.receipt.receipt && !data.receipt.duplicate)) {
    return (
      <div className="report-page">
        <h1>{t("receipt.goneTitle")}</h1>
        <p data-testid="receipt-gone">{t("receipt.gone")}</p>
        <p className="actions-row">
          <Link to="/report/inbox" className="button">
            {t("receipt.inbox")}
          </Link>
          <Link to="/report/new" className="button secondary">
            {t("receipt.another")}
          </Link>
        </p>
      </div>
    );
  }
  const { receipt, receivedAt, duplicate, recipients } = data.receipt;
  // Reports keep the day only ("YYYY-MM-DD"); an older full time is shown as its Bangkok date too (never a made-up time).
  const received = receivedOnLabel(receivedAt, data.lang);
  if (!receipt) {
    return (
      <div className="report-page">
        <h1 ref={headingRef} tabIndex={-1}>
          {t("receipt.title")}
        </h1>
        <p className="notice" data-testid="receipt-duplicate">
          {t("receipt.duplicateNoReceipt")}
        </p>
        <p>
          <Link to="/report/inbox" className="button">
            {t("receipt.inbox")}
          </Link>
        </p>
      </div>
    );
  }
  const formatted = formatReceipt(receipt);
  // The proof file no longer carries the receipt: the advice on keeping it says so (proof namespace).
  const keepItems = tp("receiptPage.keepItems", { returnObjects: true }) as string[];
  return (
    <div className="report-page report-receipt-page">
      <h1 ref={headingRef} tabIndex={-1}>
        {t("receipt.title")}
      </h1>
      {duplicate ? <p className="notice">{t("receipt.duplicate")}</p> : null}
      <section className="receipt report-receipt" aria-labelledby="receipt-label">
        <p id="receipt-label">{t("receipt.intro", { date: received })}</p>
        <p className="receipt-digits" lang="en" aria-label={`${t("receipt.label")}: ${formatted}`}>
          <strong className="code-display" data-testid="receipt">
            {formatted}
          </strong>
        </p>
        {recipients.length > 0 ? (
          <div className="receipt-recipients" data-testid="receipt-recipients">
            <h2>{t("receipt.recipientsTitle")}</h2>
            <ul>
              {recipients.map((r, i) => (
                <li key={i}>
                  {r.name}
                  {r.alternate ? ` (${t("receipt.alternate")})` : ""}
                </li>
              ))}
            </ul>
            <p className="hint">{t("receipt.recipientsNote")}</p>
          </div>
        ) : null}
        <div className="warning">
          <h2>{t("receipt.keepTitle")}</h2>
          <ul>
            {keepItems.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      </section>

      <div className="no-print actions-row receipt-actions">
        {hydrated ? <CopyButton text={receipt} /> : null}
        {hydrated ? (
          <button type="button" className="button secondary" onClick={() => window.print()}>
            {t("receipt.print")}
          </button>
        ) : null}
      </div>
      {!hydrated ? <p className="hint no-print">{t("receipt.printHint")}</p> : null}

      {/* A plain form (not Remix's): the browser itself handles the file download. */}
      <form method="post" action={appHref("/report/receipt-file")} className="no-print receipt-file-form">
        <CsrfField />
        <input type="hidden" name="receipt" value={receipt} />
        <p className="hint" id="receipt-file-hint">
          {tp("receiptPage.downloadHint")}
        </p>
        <button type="submit" className="button secondary" aria-describedby="receipt-file-hint">
          {tp("receiptPage.download")}
        </button>
      </form>
      {data.fingerprint ? (
        <p className="no-print hint">
          {tp("fingerprint.label")}:{" "}
          <code className="digest" lang="en" translate="no" data-testid="signing-fingerprint">
            {data.fingerprint}
          </code>
          <br />
          {tp("fingerprint.purpose")} <Link to="/report/verify">{tp("index.verifyLink")}</Link>
        </p>
      ) : null}

      <p className="no-print actions-row">
        <Link to="/report/inbox">{t("receipt.inbox")}</Link>
      </p>
    </div>
  );
}

/** Copies the receipt (only rendered once JavaScript runs; without it people write the digits down). */
function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation("report");
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  if (typeof navigator === "undefined" || !navigator.clipboard) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <>
      <button type="button" className="button" onClick={copy}>
        {t("receipt.copy")}
      </button>
      <span role="status" aria-live="polite" className="hint copy-status">
        {state === "copied" ? t("receipt.copied") : state === "failed" ? t("receipt.copyFailed") : ""}
      </span>
    </>
  );
}
