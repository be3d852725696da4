/**
 * POST /complaints/me-too — "me too" (ฉันก็พบปัญหานี้) on an open complaint near the citizen's pin, instead of filing
 * it again. The public-form steps (handlePublicPost: rate limit, CSRF token, honeypot), then one mark per device per
 * case (a device cookie, app/models/complaints/me-too.server.ts) and one per client address per case and day. Answers
 * JSON: `{ count }`, or the public-form refusal (`formError`: an i18n key) with a 4xx status.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import { DomainError } from "~/lib/domain-error";
import { addMeToo, DEVICE_TOKEN_RE, meTooTarget } from "~/models/complaints/me-too.server";
import { now } from "~/utils/clock.server";
import { randomToken } from "~/utils/crypto.server";
import { getDb } from "~/utils/db.server";
import { handlePublicPost, limitPosts } from "~/utils/public-form.server";
import { clientOf, limiter } from "~/utils/rate-limit.server";
import { readCookie, serializeCookie } from "~/utils/request.server";

/** "Me too" posts per client (every post counts, refused ones too). */
const meTooPosts = () => limiter("me-too", 20, 10 * 60_000);
/** One mark per client address per case and day (the device cookie is the lasting rule; this stops cookie-clearing). */
const meTooPerCase = () => limiter("me-too-case", 1, 24 * 3600_000);

const DEVICE_COOKIE = "sujarit_metoo";
const DEVICE_DAYS = 365;

const postSchema = z.object({ case: z.string().regex(/^[A-Za-z0-9_-]{22}$/) });

export function loader() {
  return redirect("/complaints/new");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const client = clientOf(context as { clientAddress?: string });
  return handlePublicPost(
    request,
    {
      limits: [limitPosts(meTooPosts(), client, () => true)],
      messages: { rateLimited: "map:meToo.rateLimited", rejected: "map:meToo.rejected" },
      headers: { "Cache-Control": "no-store" },
    },
    async (form) => {
      const parsed = postSchema.safeParse({ case: form.get("case") });
      if (!parsed.success) throw new DomainError(400, "map:meToo.notFound");
      const db = getDb();
      const complaintId = await meTooTarget(db, parsed.data.case);
      const caseKey = `${client}|${complaintId}`;
      if (meTooPerCase().peek(caseKey).blocked) throw DomainError.conflict("map:meToo.already");
      const known = readCookie(request, DEVICE_COOKIE);
      const device = known && DEVICE_TOKEN_RE.test(known) ? known : randomToken(18);
      const { count } = await addMeToo(db, { complaintId, deviceToken: device, at: now() });
      meTooPerCase().hit(caseKey);
      return json(
        { ok: true, count },
        {
          headers: {
            "Cache-Control": "no-store",
            ...(device !== known ? { "Set-Cookie": serializeCookie(DEVICE_COOKIE, device, { maxAge: DEVICE_DAYS * 86_400 }) } : {}),
          },
        },
      );
    },
  );
}
