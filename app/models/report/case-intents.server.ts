/**
 * The integrity officer's posts on a report page, one schema per intent. Server-only (it reads the channel's limits);
 * the route validates with it and calls one casework function per intent.
 */
import { z } from "zod";
import { REPORT_ACTIONS } from "~/lib/report-status";
import { REPORT_LIMITS } from "./shared.server";

/** Longest text accepted from the form before the model checks it (longer posts are refused without reading on). */
export const REPORT_POSTED_TEXT_MAX = REPORT_LIMITS.message * 4;
const text = z.string().default("");
export const reportCaseActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("status"), action: z.enum(REPORT_ACTIONS), note: text, finding: text, referredTo: text }),
  z.object({ intent: z.literal("message"), message: text }),
  z.object({ intent: z.literal("grant"), staffId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("tags"), tags: z.array(z.string()).transform((v) => v.slice(0, 20)) }),
]);
