/** The satisfaction forms' schemas (server only: zod stays out of the browser's scripts). Messages are i18n keys. */
import { z } from "zod";
import { COMMENT_MAX, isCounterService, type CounterService, type Score } from "./satisfaction";
import { safeText } from "./validation.server";

/** A radio value "1".."5" → 1..5; anything else → the satisfaction:errors.score message. */
const scoreField = z
  .string({ error: "satisfaction:errors.score" })
  .optional()
  .transform((v, ctx) => {
    const s = (v ?? "").trim();
    if (!/^[1-5]$/.test(s)) {
      ctx.addIssue({ code: "custom", message: "satisfaction:errors.score" });
      return z.NEVER;
    }
    return Number(s) as Score;
  });

/** The complainant's rating of a closed case (on /track and the e-mail link page). */
export const caseRatingSchema = z.object({
  score: scoreField,
  comment: safeText(COMMENT_MAX, false),
});
export type CaseRatingInput = z.output<typeof caseRatingSchema>;

/** The counter-service form at /feedback. */
export const counterFeedbackSchema = z.object({
  service: z
    .string({ error: "satisfaction:errors.service" })
    .optional()
    .refine((v) => isCounterService((v ?? "").trim()), { message: "satisfaction:errors.service" })
    .transform((v) => (v ?? "").trim() as CounterService),
  score: scoreField,
  comment: safeText(COMMENT_MAX, false),
});
export type CounterFeedbackInput = z.output<typeof counterFeedbackSchema>;
