/**
 * `npm run sla:tick`: one pass of the deadline escalation ladder, for an external cron next to (or instead of) the
 * server's own interval. Safe to run at any time and in parallel with the server: every escalation is claimed by a
 * unique row in the database, so nothing is sent twice. Claims are made in small transactions (a server using the
 * same database waits only a few milliseconds for each), and many cases reaching one person at once make one digest
 * e-mail (app/models/deadlines/escalation.server.ts). Options:
 *   --send           also deliver the queued e-mails once (normally the server's outbox worker does this)
 *   --now <ISO time> evaluate as if it were that time (tests and demos only)
 */
import { getDb, getSecrets } from "../app/utils/db.server";
import { migrateToLatest } from "../db/connection";
import { runDeadlineTick } from "../app/models/deadlines/escalation.server";
import { createMailSender, processOutboxOnce } from "../app/models/notices/outbox.server";

async function main() {
  const args = process.argv.slice(2);
  const nowArg = args.includes("--now") ? args[args.indexOf("--now") + 1] : undefined;
  const at = nowArg ? new Date(nowArg) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new Error(`--now: not a date: ${nowArg}`);
  const db = getDb();
  await migrateToLatest(db);
  getSecrets();
  const started = Date.now();
  const r = await runDeadlineTick(db, { now: at });
  console.log(
    `sla:tick examined ${r.examined} case(s); escalated: due soon ${r.escalated.due_soon}, overdue ${r.escalated.overdue}, ` +
      `executive ${r.escalated.overdue_executive}, unassigned ${r.escalated.unassigned}; e-mails queued: ${r.notified.perCase} about one case, ` +
      `${r.notified.digests} digest(s) (${Date.now() - started} ms)`,
  );
  if (args.includes("--send")) {
    const sender = createMailSender();
    for (;;) {
      const s = await processOutboxOnce(sender, { db, limit: 50 });
      if (s.sent + s.failed + s.dead === 0) break;
      console.log(`outbox: sent ${s.sent}, failed ${s.failed}, dead ${s.dead}`);
      if (s.sent === 0) break;
    }
  }
  await db.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
