/**
 * What an officer can do on the case page, one zod schema per intent and one domain function per intent. The route
 * parses the form into plain fields and calls runCaseIntent; permission checks live in the domain functions.
 * Server-only: the schemas use the notice methods of notices.server.ts.
 */
import { z } from "zod";
import { readBuddhistDateInput } from "~/lib/buddhist-date-input";
import type { CaseAction } from "~/lib/complaint-status";
import { DomainError } from "~/lib/domain-error";
import type { Actor } from "~/lib/permissions";
import { addInternalNote, addReply, applyCaseAction, assignCase } from "~/models/complaints/handling.server";
import { NOTICE_METHODS, parseExpectedDate, sendNotice } from "~/models/notices/notices.server";
import { setComplaintTopics } from "~/models/complaints/topics.server";
import type { Executor } from "../../../db/connection";

// ---- One schema per intent ----------------------------------------------------------------------------------------

const text = z.string().optional();
/** A <select> of ids: "" keeps the current value, "none" clears it. */
const idChoice = z
  .union([z.literal(""), z.literal("none"), z.string().regex(/^\d{1,9}$/)])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v === "none" ? null : Number(v)));
const statusChange = <A extends CaseAction>(intent: A) =>
  z.object({ intent: z.literal(intent), note: text, resultSummary: text, forwardedTo: text });
const notice = <K extends "explanation" | "progress">(intent: K) =>
  z.object({
    intent: z.literal(intent),
    text: z.string().default(""),
    expectedAt: text.transform((v) => (intent === "explanation" ? parseExpectedDate(v) : null)),
    method: z.enum(NOTICE_METHODS).optional().catch(undefined),
  });

const caseIntent = z.discriminatedUnion("intent", [
  statusChange("accept"),
  statusChange("start"),
  statusChange("request_info"),
  statusChange("info_received"),
  statusChange("resolve"),
  statusChange("forward"),
  statusChange("reopen"),
  z.object({ intent: z.literal("assign"), divisionId: idChoice, assigneeId: idChoice, note: text }),
  z.object({ intent: z.literal("reply"), note: z.string().default("") }),
  z.object({ intent: z.literal("note"), note: z.string().default("") }),
  notice("explanation"),
  notice("progress"),
  z.object({ intent: z.literal("topics"), topics: z.array(z.string()) }),
]);
type CaseIntent = z.infer<typeof caseIntent>;
type Intent = CaseIntent["intent"];
const INTENTS = new Set<string>(caseIntent.options.map((o) => o.shape.intent.value));

// ---- One domain function per intent ------------------------------------------------------------------------------

type Ctx = { db: Executor; actor: Actor; complaintId: number };
type Handler<I extends Intent> = (ctx: Ctx, input: Extract<CaseIntent, { intent: I }>) => Promise<unknown>;

type StatusChange = Extract<CaseIntent, { intent: CaseAction }>;
const changeStatus = ({ db, actor, complaintId }: Ctx, i: StatusChange) =>
  applyCaseAction(db, { complaintId, actor, action: i.intent, note: i.note, resultSummary: i.resultSummary, forwardedTo: i.forwardedTo });
const notify = ({ db, actor, complaintId }: Ctx, i: Extract<CaseIntent, { intent: "explanation" | "progress" }>) =>
  sendNotice(db, { complaintId, actor, kind: i.intent, text: i.text, expectedAt: i.expectedAt, method: i.method });

const HANDLERS: { [I in Intent]: Handler<I> } = {
  accept: changeStatus,
  start: changeStatus,
  request_info: changeStatus,
  info_received: changeStatus,
  resolve: changeStatus,
  forward: changeStatus,
  reopen: changeStatus,
  assign: ({ db, actor, complaintId }, i) =>
    assignCase(db, { complaintId, actor, divisionId: i.divisionId, assigneeId: i.assigneeId, followAssignee: true, note: i.note }),
  reply: ({ db, actor, complaintId }, i) => addReply(db, { complaintId, actor, text: i.note }),
  note: ({ db, actor, complaintId }, i) => addInternalNote(db, { complaintId, actor, text: i.note }),
  explanation: notify,
  progress: notify,
  topics: ({ db, actor, complaintId }, i) => setComplaintTopics(db, { complaintId, actor, topics: i.topics }),
};

/** True for an intent this page knows (to echo it back with an error). */
export function isCaseIntent(intent: string): boolean {
  return INTENTS.has(intent);
}

/**
 * The explanation's expected date comes from the Buddhist-calendar picker (day, month, พ.ศ. year) or as one field;
 * it becomes the "YYYY-MM-DD" key the schema reads. An impossible or unreadable date is refused with its own message;
 * a missing one is left to sendNotice ("please give the expected date").
 */
function withExpectedDate(fields: Record<string, unknown>): Record<string, unknown> {
  if (fields.intent !== "explanation") return fields;
  const date = readBuddhistDateInput((name) => fields[name], "expectedAt");
  if (date.ok) return { ...fields, expectedAt: date.key };
  if (date.problem === "missing") return { ...fields, expectedAt: undefined };
  throw DomainError.invalid("expectedAt", `datePicker.errors.${date.problem}`, { ns: "common" });
}

/**
 * Validates the form's fields (text fields, `topics` as a list) against the intent's schema and runs the intent.
 * Unknown intent or malformed fields: DomainError 400. Returns the intent that ran.
 */
export async function runCaseIntent(ctx: Ctx, form: Record<string, unknown>): Promise<Intent> {
  const intent = typeof form.intent === "string" ? form.intent : undefined;
  const fields = withExpectedDate(form);
  const parsed = caseIntent.safeParse(fields);
  if (!parsed.success) throw new DomainError(400, intent && INTENTS.has(intent) ? "caseErrors.badInput" : "caseErrors.unknownIntent");
  const input = parsed.data;
  await (HANDLERS[input.intent] as Handler<Intent>)(ctx, input as never);
  return input.intent;
}
