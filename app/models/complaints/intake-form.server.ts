/** The staff intake form's own fields (beside the complaint form's), on the server so zod stays out of the browser. */
import { z } from "zod";
import type { ComplaintChannel } from "../../../db/schema";
import { bangkokDateKey, dateFromBangkokKey } from "~/lib/thai-date";
import { now } from "~/utils/clock.server";

/** How the complaint arrived, the citizen's language and the day it was received (within the last year, not later than today). */
export function intakeExtraSchema<C extends readonly [ComplaintChannel, ...ComplaintChannel[]]>(channels: C) {
  return z.object({
    channel: z.enum(channels, { error: "errors.invalidChoice" }),
    citizenLang: z.enum(["th", "en"]).catch("th"),
    receivedDate: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const s = (v ?? "").trim();
        if (!s) return undefined;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) {
          ctx.addIssue({ code: "custom", message: "staff:intake.badDate" });
          return z.NEVER;
        }
        const today = bangkokDateKey(now());
        const d = dateFromBangkokKey(s);
        if (Number.isNaN(d.getTime()) || s > today || now().getTime() - d.getTime() > 366 * 24 * 3600_000) {
          ctx.addIssue({ code: "custom", message: "staff:intake.badDate" });
          return z.NEVER;
        }
        return s;
      }),
  });
}
