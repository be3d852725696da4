/**
 * /report/inbox: the reporter's follow-up, at ONE URL for everything (the address bar never says what happened).
 *
 * - Without an inbox session: a receipt form. POST intent=open checks the receipt (throttled per client and
 *   globally, with growing delays; a wrong, malformed or empty receipt always gets the same status and text), then
 *   opens an inbox session (the report key opened with the receipt, sealed in a Path=/report, HttpOnly,
 *   SameSite=Strict cookie; nothing is stored on the server) and redirects back here.
 * - With a session: the status in plain words, the officers' messages and the reporter's replies, a reply form that
 *   also takes more evidence (intent=reply, multipart), a button for the submission in its canonical form (a POST to
 *   /report/submission, a file download) to check the proof of filing, and a button that closes the inbox (intent=leave).
 * Works without JavaScript. Nothing about the visitor is logged or stored; the client address is only an in-memory
 * throttle key.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { InboxView, ReceiptForm, type InboxActionData } from "~/components/report-inbox";
import { getDb } from "~/utils/db.server";
import { randomToken } from "~/utils/crypto.server";
import { clientOf, limits, slowRefusal } from "~/utils/rate-limit.server";
import { reserveReceiptAttempt, throttleDelay } from "~/utils/receipt-throttle.server";
import { assertCsrf, getLang } from "~/utils/request.server";
import { handlePublicPost } from "~/utils/public-form.server";
import { MultipartError, parseMultipartUpload } from "~/models/complaints/attachments.server";
import { findReportByReceipt, reporterView } from "~/models/report/inbox.server";
import { REPLY_MAX, sendReporterReply } from "~/models/report/inbox-reply.server";
import { ReceiptHashBusyError } from "~/models/report/receipt-hash.server";
import { createInboxSession, endInboxSession, inboxFlashCookie, readInboxFlash, readInboxSession } from "~/models/report/cookies.server";
import { passThroughHeaders } from "~/utils/route-headers";

export const handle = { i18n: ["report"] };

export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "กล่องข้อความ · Sujarit" }, { name: "robots", content: "noindex" }];

/** Longest reply (characters); the page gets the number from the loader. */
const messageMax = () => REPLY_MAX;

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = getLang(request);
  const headers = new Headers();
  const session = await readInboxSession(request);
  if (session.setCookie) headers.append("Set-Cookie", session.setCookie);
  const flash = readInboxFlash(request);
  if (flash) headers.append("Set-Cookie", flash.setCookie);
  if (session.reportId === null) {
    return json(
      {
        lang,
        flash: flash?.flash ?? null,
        inbox: null,
        messageMax: messageMax(),
      },
      { headers },
    );
  }
  const view = await reporterView(db, session.reportId, session.key);
  return json(
    {
      lang,
      flash: flash?.flash ?? null,
      inbox: view,
      messageMax: messageMax(),
    },
    { headers },
  );
}

type ActionData = InboxActionData;

export async function action({ request, context }: ActionFunctionArgs) {
  const lang = getLang(request);
  const db = getDb();
  const client = clientOf(context);
  const isMultipart = /^multipart\/form-data/i.test(request.headers.get("Content-Type") ?? "");

  if (isMultipart) {
    // Only the reply form is multipart (it carries evidence files).
    const lim = limits.reportReply();
    const blocked = lim.peek(client);
    if (blocked.blocked) {
      request.body?.cancel().catch(() => {});
      await slowRefusal();
      return json<ActionData>(
        {
          kind: "reply",
          formError: "report:errors.rateLimited",
          errors: {},
          message: "",
          hadFiles: false,
          formKey: randomToken(6),
        },
        {
          status: 429,
          headers: {
            "Retry-After": String(Math.max(1, blocked.retryAfterSec)),
          },
        },
      );
    }
    lim.hit(client);
    return reply(request, db, lang);
  }

  // The receipt form: read and CSRF-checked by handlePublicPost; receipt guesses are throttled in open() by the
  // receipt throttle, the corruption channel's own limiter.
  return handlePublicPost(
    request,
    { lang, limits: [], honeypot: false, messages: { rateLimited: "report:errors.rateLimited" } },
    async (form) => {
      if (form.get("intent") === "leave") {
        const headers = new Headers();
        headers.append("Set-Cookie", await endInboxSession(request));
        headers.append("Set-Cookie", inboxFlashCookie("left"));
        return redirect("/report/inbox", { headers });
      }
      return open(form, db, client);
    },
  );
}

/** Receipt -> inbox session. Every failure (empty, malformed, unknown) gets the same status and text. */
async function open(form: FormData, db: ReturnType<typeof getDb>, client: string): Promise<Response> {
  const typed = form.get("receipt");
  const shown = typeof typed === "string" ? typed.slice(0, 40) : "";
  const generic = () => json<ActionData>({ kind: "open", formError: "report:inbox.notFound", receipt: shown }, { status: 404 });

  const decision = reserveReceiptAttempt(client);
  if (!decision.allowed) {
    await slowRefusal();
    const minutes = Math.max(1, Math.ceil(decision.retryAfterSec / 60));
    return json<ActionData>(
      {
        kind: "open",
        formError: `report:inbox.rateLimited|${minutes}`,
        receipt: shown,
      },
      {
        status: 429,
        headers: { "Retry-After": String(decision.retryAfterSec) },
      },
    );
  }
  await throttleDelay(decision.delayMs);
  // Always one argon2id hash, whatever was typed (empty, malformed, wrong or right): every answer costs the same.
  let found;
  try {
    found = await findReportByReceipt(db, typeof typed === "string" ? typed : "", { priority: decision.priority });
  } catch (e) {
    if (!(e instanceof ReceiptHashBusyError)) throw e;
    // The hashing queue is full (decided before any hashing, whatever was typed): nothing was checked. The answer is
    // held back a moment (bounded), so a flood that waits for its answers paces itself.
    decision.ticket.notChecked();
    await slowRefusal();
    return json<ActionData>(
      { kind: "open", formError: "report:inbox.busy", receipt: shown },
      { status: 503, headers: { "Retry-After": String(e.retryAfterSec) } },
    );
  }
  if (!found) {
    decision.ticket.failed();
    return generic();
  }
  decision.ticket.succeeded();
  const setCookie = await createInboxSession(found.report.id, found.key);
  return redirect("/report/inbox", { headers: { "Set-Cookie": setCookie } });
}

/** A reply (text and/or more evidence) from the reporter in an open inbox. */
async function reply(request: Request, db: ReturnType<typeof getDb>, lang: ReturnType<typeof getLang>): Promise<Response> {
  let parsed;
  try {
    parsed = await parseMultipartUpload(request, { fileField: "evidence" });
  } catch (e) {
    if (e instanceof MultipartError) {
      return json<ActionData>(
        {
          kind: "reply",
          formError: e.messageKey,
          errors: {},
          message: e.partial.message?.slice(0, messageMax() * 2) ?? "",
          hadFiles: true,
          formKey: randomToken(6),
        },
        { status: e.status },
      );
    }
    throw e;
  }
  const form = parsed.form;
  assertCsrf(request, form, lang);
  const rawMessage = form.get("message");
  const typed = typeof rawMessage === "string" ? rawMessage.slice(0, messageMax() * 2) : "";
  const session = await readInboxSession(request);
  if (session.reportId === null) {
    // The session ended while the reporter was typing: keep their text on screen so nothing is lost.
    return json<ActionData>(
      { kind: "expired", message: typed },
      {
        status: 401,
        headers: session.setCookie ? { "Set-Cookie": session.setCookie } : undefined,
      },
    );
  }
  const outcome = await sendReporterReply(
    db,
    { reportId: session.reportId, key: session.key },
    {
      typed,
      files: parsed.files,
      keepOriginal: form.get("keepOriginal") === "yes",
      keepNames: form.get("keepNames") === "yes",
    },
  );
  if (!outcome.sent) {
    return json<ActionData>(
      {
        kind: "reply",
        formError: null,
        errors: outcome.errors,
        message: typed,
        hadFiles: parsed.files.length > 0,
        formKey: randomToken(6),
      },
      { status: 422 },
    );
  }
  const headers = new Headers();
  if (session.setCookie) headers.append("Set-Cookie", session.setCookie);
  headers.append("Set-Cookie", inboxFlashCookie("sent"));
  return redirect("/report/inbox", { headers });
}

export default function ReportInbox() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  if (data.inbox) return <InboxView data={data} result={result?.kind === "reply" ? result : undefined} />;
  return <ReceiptForm flash={data.flash} result={result} />;
}
