/**
 * The e-mail outbox survives an SMTP outage and a server restart: the acknowledgement is queued while SMTP is
 * down, retried with backoff, delivered once SMTP is back, and never sent twice.
 * OUTBOX_BACKOFF_BASE_MS shortens the first retry delay (30 s in production) so the test stays fast.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbGet, startServer, waitUntil, type TestServer } from "../helpers/server";
import { startSmtp, type TestSmtp } from "../helpers/smtp";
import { HttpClient, fileComplaint } from "../helpers/http";

let server: TestServer;
let smtp: TestSmtp;
const tag = crypto.randomBytes(4).toString("hex");
const email = `outage-${tag}@example.th`;

beforeAll(async () => {
  smtp = await startSmtp({ listen: false }); // port reserved, nothing listening: connections are refused
  server = await startServer({ env: { SMTP_URL: smtp.url, OUTBOX_BACKOFF_BASE_MS: "500" } });
});

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe("outbox delivery", () => {
  it("queues while SMTP is down, delivers exactly once when it is back, and not again after a restart", async () => {
    const { reference } = await fileComplaint(new HttpClient(server.url), {
      contactEmail: email,
      subject: `ไฟถนนดับ ${tag}`,
      category: "streetlight",
    });
    const complaint = await dbGet(server, "select id from complaints where reference = ?", reference);
    expect(complaint).toBeTruthy();

    // The worker tried and failed: still pending, with the error recorded and a retry scheduled.
    const failed = await waitUntil(
      () => dbGet(server, "select * from outbox where complaint_id = ? and attempts > 0 and status = 'pending'", complaint!.id),
      "a failed delivery attempt",
      15_000,
    );
    expect(failed.last_error).toBeTruthy();
    expect(failed.payload).toBeTruthy();
    expect(failed.sent_at).toBeNull();
    expect(Date.parse(failed.next_attempt_at)).toBeGreaterThan(Date.parse(failed.created_at));
    expect(smtp.messages).toHaveLength(0);

    // SMTP comes back on the same port.
    await smtp.start();
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(email), 20_000);
    expect(`${mail.subject}\n${mail.text}`).toContain(reference);

    const sent = await waitUntil(
      () => dbGet(server, "select * from outbox where complaint_id = ? and status = 'sent'", complaint!.id),
      "the outbox row marked sent",
    );
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(sent.payload).toBeNull();
    expect(sent.last_error).toBeNull();

    // Exactly one message, even after waiting and after a restart of the server.
    await new Promise((r) => setTimeout(r, 1500));
    expect(smtp.messages.filter((m) => m.rcptTo.includes(email))).toHaveLength(1);
    await server.restart();
    await new Promise((r) => setTimeout(r, 3000));
    expect(smtp.messages.filter((m) => m.rcptTo.includes(email))).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
    const after = await dbGet(server, "select status, attempts from outbox where id = ?", sent.id);
    expect(after).toEqual({ status: "sent", attempts: sent.attempts });
  });

  it("keeps delivering after SMTP restarts on the same port", async () => {
    await smtp.stop();
    await smtp.start();
    const { reference } = await fileComplaint(new HttpClient(server.url), {
      contactEmail: `again-${email}`,
      subject: `น้ำไม่ไหล ${tag}`,
      category: "water",
    });
    const mail = await smtp.waitFor((m) => m.rcptTo.includes(`again-${email}`), 20_000);
    expect(`${mail.subject}\n${mail.text}`).toContain(reference);
    expect(smtp.messages).toHaveLength(2);
  });
});
