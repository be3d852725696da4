/**
 * "Follow on LINE" on the receipt page: a fresh one-time link code for the case just filed, the LINE address that
 * opens the chat with "เชื่อมต่อ <code>" typed in, and its QR code (SVG made here, from our own text only).
 */
import QRCode from "qrcode";
import type { Executor } from "../../../db/connection";
import { tFor } from "~/i18n";
import { addFriendUrl, chatWithTextUrl, lineConfig } from "./config.server";
import { issueLinkCode, LINK_CODE_MINUTES } from "./link-codes.server";

export interface LineFollowOffer {
  oaId: string;
  code: string;
  /** The message to send: "เชื่อมต่อ K7QF-2M9X". */
  message: string;
  chatUrl: string;
  addFriendUrl: string;
  qrSvg: string;
  minutes: number;
}

/** The offer for the case with this reference, or null when LINE is off (or the case is unknown). */
export async function lineFollowOffer(db: Executor, reference: string): Promise<LineFollowOffer | null> {
  const config = lineConfig();
  if (!config) return null;
  const c = await db.selectFrom("complaints").select(["id", "anonymised_at"]).where("reference", "=", reference).executeTakeFirst();
  if (!c || c.anonymised_at) return null;
  const { code } = await issueLinkCode(db, c.id);
  const message = `${tFor("th", "line")("follow.messagePrefix")} ${code}`;
  const chatUrl = chatWithTextUrl(config, message);
  const qrSvg = await QRCode.toString(chatUrl, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { oaId: config.oaId, code, message, chatUrl, addFriendUrl: addFriendUrl(config), qrSvg, minutes: LINK_CODE_MINUTES };
}
