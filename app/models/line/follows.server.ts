/**
 * Which LINE chats follow which general complaint. Only the chat's user id (encrypted) and the case are kept; the
 * case page shows staff that the case is followed on LINE, never who.
 */
import type { Executor } from "../../../db/connection";
import { now } from "~/utils/clock.server";
import { lineUserKey, openUserId, sealUserId } from "./chat-users.server";

/** Makes the chat follow the case; false when it already did. */
export async function followCase(db: Executor, complaintId: number, userId: string): Promise<boolean> {
  const userKey = lineUserKey(userId);
  const r = await db
    .insertInto("line_follows")
    .values({ complaint_id: complaintId, user_key: userKey, user_enc: sealUserId(userId, userKey), created_at: now().toISOString() })
    .onConflict((oc) => oc.columns(["complaint_id", "user_key"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** The chats following a case (user ids decrypted, for pushes). */
export async function chatsFollowing(db: Executor, complaintId: number): Promise<{ followId: number; userId: string }[]> {
  const rows = await db.selectFrom("line_follows").select(["id", "user_key", "user_enc"]).where("complaint_id", "=", complaintId).execute();
  return rows.map((r) => ({ followId: r.id, userId: openUserId(r.user_enc, r.user_key) }));
}

/** Whether the chat follows the case. */
export async function chatFollows(db: Executor, complaintId: number, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("line_follows")
    .select("id")
    .where("complaint_id", "=", complaintId)
    .where("user_key", "=", lineUserKey(userId))
    .executeTakeFirst();
  return !!row;
}

/** For the staff case page: followed on LINE or not (nothing about who). */
export async function isFollowedOnLine(db: Executor, complaintId: number): Promise<boolean> {
  const row = await db.selectFrom("line_follows").select("id").where("complaint_id", "=", complaintId).limit(1).executeTakeFirst();
  return !!row;
}

/** The person blocked or removed the account: their chat follows nothing any more and their draft is gone. */
export async function forgetChat(db: Executor, userId: string): Promise<void> {
  const userKey = lineUserKey(userId);
  await db.deleteFrom("line_follows").where("user_key", "=", userKey).execute();
  await db.deleteFrom("line_drafts").where("user_key", "=", userKey).execute();
}

/**
 * Privacy (retention and erasure, app/models/complaints/privacy.server.ts): the case's LINE chats and link codes are
 * removed (pending pushes go with the case's other outbox rows).
 */
export async function eraseLineData(db: Executor, complaintId: number): Promise<void> {
  await db.deleteFrom("line_follows").where("complaint_id", "=", complaintId).execute();
  await db.deleteFrom("line_link_codes").where("complaint_id", "=", complaintId).execute();
}
