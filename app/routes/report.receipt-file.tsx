/**
 * POST /report/receipt-file: the proof of filing as a downloadable text file (app/lib/report-proof.ts): a short
 * bilingual header, then the v2 statement (organisation, Bangkok date of receipt, digest of the canonical submission,
 * fingerprint of the signing key) between BEGIN/END markers, signed with this installation's Ed25519 key. It holds NO
 * receipt, NO report text and NO public key: it is checked at /report/verify (or `npm run proof -- verify`) with the
 * installation's own key, whose fingerprint /report publishes. The receipt comes in the POST body (a hidden field of
 * the receipt page, where it is already on screen) only to find the report, and is checked like any receipt:
 * throttled, one generic answer. GET is refused (405): receipts never travel in URLs.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { getDb } from "~/utils/db.server";
import { reserveReceiptAttempt, throttleDelay } from "~/utils/receipt-throttle.server";
import { getOrgProfile, nameIn } from "~/models/organisation/profile.server";
import { findReportByReceipt } from "~/models/report/inbox.server";
import { ReceiptHashBusyError } from "~/models/report/receipt-hash.server";
import { clientOf, slowRefusal } from "~/utils/rate-limit.server";
import { installationFingerprint, signProof } from "~/models/report/proof.server";
import { normalizeReceipt } from "~/lib/report-receipt";
import { bangkokReceivedOn, buildProofStatement, groupFingerprint, renderProofFile } from "~/lib/report-proof";
import { formatThaiDateKey } from "~/lib/thai-date";
import { tFor, type Lang } from "~/i18n";
import { publicUrl } from "~/utils/public-url.server";

function methodNotAllowed() {
  return new Response("Method Not Allowed", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
  });
}

export async function loader() {
  return methodNotAllowed();
}

function plain(status: number, body: string, headers: Record<string, string> = {}) {
  return new Response(body + "\n", {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed();
  const lang = getLang(request);
  const t = tFor(lang, "proof");
  const form = await readFormData(request, lang);
  assertCsrf(request, form, lang);

  const decision = reserveReceiptAttempt(clientOf(context));
  if (!decision.allowed) {
    await slowRefusal();
    return plain(
      429,
      t("file.rateLimited", {
        minutes: Math.max(1, Math.ceil(decision.retryAfterSec / 60)),
      }),
      {
        "Retry-After": String(decision.retryAfterSec),
      },
    );
  }
  await throttleDelay(decision.delayMs);
  const receipt = normalizeReceipt(form.get("receipt"));
  const db = getDb();
  let report;
  try {
    report = receipt ? ((await findReportByReceipt(db, receipt, { priority: decision.priority }))?.report ?? null) : null;
  } catch (e) {
    if (!(e instanceof ReceiptHashBusyError)) throw e;
    decision.ticket.notChecked();
    await slowRefusal();
    return plain(503, t("file.busy"), { "Retry-After": String(e.retryAfterSec) });
  }
  if (!receipt || !report) {
    decision.ticket.failed();
    return plain(404, t("file.notFound"));
  }
  decision.ticket.succeeded();

  const org = await getOrgProfile(db);
  // The statement names the organisation in Thai (its legal name) whatever the page language, so it is stable.
  const orgTh = nameIn("th", org);
  const fingerprint = installationFingerprint();
  const statement = buildProofStatement({
    organisation: orgTh,
    receivedAt: report.received_at,
    submissionSha256: report.submission_digest,
    signingKeySha256: fingerprint,
  });
  const signature = signProof(statement);
  const receivedOn = bangkokReceivedOn(report.received_at);
  const base = publicUrl().replace(/\/+$/, "");
  // The header is bilingual (Thai first) whatever the page language: the file may be shown to anyone later.
  const headerIn = (l: Lang) => {
    const p = tFor(l, "proof");
    return [
      p("file.title"),
      p("file.what", { org: nameIn(l, org), date: formatThaiDateKey(receivedOn, l) }),
      p("file.proves"),
      p("file.none"),
      p("file.check", { verifyUrl: `${base}/report/verify` }),
      p("file.key", { fingerprint: groupFingerprint(fingerprint), reportUrl: `${base}/report` }),
      p("file.signed"),
    ];
  };
  const file = renderProofFile(statement, signature, { header: [...headerIn("th"), "", ...headerIn("en")] });
  return new Response(file, {
    status: 200,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      // A neutral name: nothing about the report in it.
      "Content-Disposition": 'attachment; filename="sujarit-receipt.txt"',
      // Cache-Control: no-store, Referrer-Policy: no-referrer and nosniff come from scripts/http.ts for /report*.
    },
  });
}
