/**
 * POST /report/receipt-file: the receipt as a downloadable text file with a proof of filing: the time the report was
 * received and the digest of what was submitted, signed with the server's Ed25519 key (plus the public key and its
 * fingerprint). It never contains the report's text. The receipt comes in the POST body (a hidden field of the
 * receipt page, where it is already on screen) and is checked like any receipt: throttled, one generic answer.
 * GET is refused (405): receipts never travel in URLs.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { assertCsrf, readFormData, getLang } from "~/utils/request.server";
import { getDb } from "~/utils/db.server";
import { getEnv } from "~/utils/env.server";
import {
  reserveReceiptAttempt,
  throttleDelay,
} from "~/utils/receipt-throttle.server";
import { getSigningKeys, signBytes } from "~/utils/keys.server";
import { getOrgProfile, nameIn } from "~/models/org.server";
import { findReportByReceipt } from "~/models/report.server";
import { formatReceipt, normalizeReceipt } from "~/lib/receipt";
import { formatThaiDate } from "~/lib/thai-date";
import { tFor } from "~/i18n";

function methodNotAllowed() {
  return new Response("Method Not Allowed", {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
  });
}

export async function loader() {
  return methodNotAllowed();
}

function plain(
  status: number,
  body: string,
  headers: Record<string, string> = {}
) {
  return new Response(body + "\n", {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
  });
}

/** The statement that is signed: one field per line, LF, UTF-8 (what a verifier must reproduce byte for byte). */
export function proofStatement(p: {
  org: string;
  receivedAt: string;
  digest: string;
}): string {
  return [
    "sujarit-report-proof-v1",
    `organisation: ${p.org}`,
    `received-at: ${p.receivedAt}`,
    `submission-sha256: ${p.digest}`,
  ].join("\n");
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed();
  const lang = getLang(request);
  const t = tFor(lang, "report");
  const form = await readFormData(request, lang);
  assertCsrf(request, form, lang);

  const decision = reserveReceiptAttempt(context.clientAddress ?? "unknown");
  if (!decision.allowed) {
    return plain(
      429,
      t("file.rateLimited", {
        minutes: Math.max(1, Math.ceil(decision.retryAfterSec / 60)),
      }),
      {
        "Retry-After": String(decision.retryAfterSec),
      }
    );
  }
  await throttleDelay(decision.delayMs);
  const receipt = normalizeReceipt(form.get("receipt"));
  const db = getDb();
  const report = receipt ? await findReportByReceipt(db, receipt) : null;
  if (!receipt || !report) {
    decision.ticket.failed();
    return plain(404, t("file.notFound"));
  }
  decision.ticket.succeeded();

  const org = await getOrgProfile(db);
  // The statement names the organisation in Thai (its legal name) whatever the page language, so it is stable.
  const statement = proofStatement({
    org: nameIn("th", org),
    receivedAt: report.received_at,
    digest: report.submission_digest,
  });
  const keys = getSigningKeys();
  const signature = signBytes(statement);
  const publicKeyB64 = (
    keys.publicKey.export({ format: "der", type: "spki" }) as Buffer
  ).toString("base64");
  const received = new Date(report.received_at);
  const inboxUrl = `${getEnv().PUBLIC_URL}/report/inbox`;

  const lines = [
    t("file.title"),
    "",
    `${t("file.org")}: ${nameIn(lang, org)}`,
    `${t("file.receipt")}: ${formatReceipt(receipt)}`,
    `${t("file.receivedAt")}: ${formatThaiDate(received, lang, {
      withTime: true,
    })} (${report.received_at})`,
    `${t("file.digest")}: ${report.submission_digest}`,
    "",
    t("file.keep", { url: inboxUrl }),
    "",
    `----- ${t("file.statement")} -----`,
    statement,
    "-----",
    `${t("file.signature")}: ${signature}`,
    `${t("file.fingerprint")}: ${keys.fingerprint}`,
    `${t("file.publicKey")}: ${publicKeyB64}`,
    "",
    t("file.verify"),
  ];
  return new Response(lines.join("\n") + "\n", {
    status: 200,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      // A neutral name: nothing about the report or the receipt in it.
      "Content-Disposition": 'attachment; filename="sujarit-receipt.txt"',
      // Cache-Control: no-store, Referrer-Policy: no-referrer and nosniff come from scripts/http.ts for /report*.
    },
  });
}
