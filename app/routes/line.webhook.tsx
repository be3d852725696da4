/**
 * POST /line/webhook: the LINE Messaging API's webhook (set this URL in the LINE Developers console). The raw body
 * (capped like every form, scripts/remix-handler.ts) is checked against X-Line-Signature before anything is read
 * from it; app/models/line/webhook.server.ts does the rest. 404 when LINE is not configured; no page (GET: 404/405).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/utils/db.server";
import { lineEnabled } from "~/models/line/config.server";
import { handleLineWebhook } from "~/models/line/webhook.server";

export const handle = { i18n: [] };

const plain = (status: number, text: string) =>
  new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });

export async function loader() {
  return lineEnabled() ? plain(405, "Method Not Allowed") : plain(404, "Not Found");
}

export async function action({ request }: ActionFunctionArgs) {
  if (!lineEnabled()) return plain(404, "Not Found");
  if (request.method !== "POST") return plain(405, "Method Not Allowed");
  let raw: Buffer;
  try {
    raw = Buffer.from(await request.arrayBuffer());
  } catch {
    return plain(400, "Bad Request");
  }
  const { status } = await handleLineWebhook(getDb(), raw, request.headers.get("x-line-signature"));
  return plain(status, status === 200 ? "OK" : status === 401 ? "Unauthorized" : status === 404 ? "Not Found" : "Error");
}
