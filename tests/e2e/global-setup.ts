/**
 * Starts an SMTP server and the real server (fresh data folder), creates the staff accounts the specs use, and
 * publishes the details to the specs through environment variables (E2E_*), which Playwright passes to its
 * workers. Returns the teardown.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { startServer, createStaffUser } from "../helpers/server";
import { startSmtp } from "../helpers/smtp";
import { HttpClient, completeOrgSetup, csrfOf } from "../helpers/http";
import { integrityLogin, totpAccount, totpLogin, type TotpAccount } from "../helpers/report";

export const E2E_OFFICER = {
  email: "officer.works@wangluek.go.th",
  name: "ช่างสมศักดิ์ ทดสอบ",
  role: "officer" as const,
  division: "works",
  password: "e2e officer password 2569",
};
/** Integrity officer of the corruption-report channel (corruption.spec.ts); sets up TOTP at the first sign-in. */
/** Supervisor who approves the annual report (stats.spec.ts). */
export const E2E_SUPERVISOR = {
  email: "supervisor@wangluek.go.th",
  name: "นายสมชาย หัวหน้า",
  role: "supervisor" as const,
  password: "e2e หัวหน้างาน password 2569",
};
/** Administrator for the page-by-page hydration check (pages.spec.ts). */
export const E2E_ADMIN = {
  email: "admin@wangluek.go.th",
  name: "ผู้ดูแลระบบ ทดสอบ",
  role: "admin" as const,
  password: "e2e ผู้ดูแลระบบ password 2569",
};
export const E2E_INTEGRITY = {
  email: "integrity@wangluek.go.th",
  name: "นางสาวสุจริตา ตรวจสอบ",
  role: "integrity" as const,
  password: "e2e สุจริตา password 2569",
};
/** A second integrity officer: the one a whistleblower excludes (corruption.spec.ts). */
export const E2E_INTEGRITY2 = {
  email: "integrity2@wangluek.go.th",
  name: "นายวิชัย ระวังภัย",
  role: "integrity" as const,
  password: "e2e second integrity password 2569",
};
/** The alternate recipient (e.g. the chair of the council's audit committee). */
export const E2E_ALTERNATE = {
  email: "alternate@wangluek.go.th",
  name: "นางประภา ธรรมรักษ์",
  role: "integrity" as const,
  password: "e2e ประภา password 2569",
};

export default async function globalSetup() {
  const smtp = await startSmtp();
  const server = await startServer({ env: { SMTP_URL: smtp.url } });
  try {
    await createStaffUser(server, E2E_OFFICER);
  } catch (e) {
    // The citizen specs can still run; the officer spec reports this error.
    process.env.E2E_STAFF_ERROR = (e as Error).message.slice(0, 2000);
  }
  try {
    await createStaffUser(server, E2E_ADMIN);
  } catch (e) {
    process.env.E2E_ADMIN_ERROR = (e as Error).message.slice(0, 2000);
  }
  try {
    await createStaffUser(server, E2E_SUPERVISOR);
  } catch (e) {
    process.env.E2E_SUPERVISOR_ERROR = (e as Error).message.slice(0, 2000);
  }
  try {
    // The staff CLI accepts --role integrity (the helper's type lists the older roles only).
    await createStaffUser(server, E2E_INTEGRITY as unknown as Parameters<typeof createStaffUser>[1]);
  } catch (e) {
    process.env.E2E_INTEGRITY_ERROR = (e as Error).message.slice(0, 2000);
  }
  // Administrators and supervisors sign in with a second factor: an authenticator app (TOTP) is set up for both here,
  // and its state goes to the file the specs read (tests/e2e/support.ts, staffSignIn). Passkeys: passkeys.spec.ts.
  const totp: Record<string, TotpAccount> = {};
  let admin: HttpClient | null = null;
  for (const u of [E2E_ADMIN, E2E_SUPERVISOR]) {
    try {
      totp[u.email] = totpAccount(u.email, u.password);
      const c = new HttpClient(server.url);
      await totpLogin(c, totp[u.email], "/staff");
      if (u === E2E_ADMIN) {
        admin = c;
        // The staff pages send an administrator to the organisation's details first: filled in once for every spec.
        await completeOrgSetup(c);
      }
    } catch (e) {
      const key = u === E2E_ADMIN ? "E2E_ADMIN_ERROR" : "E2E_SUPERVISOR_ERROR";
      process.env[key] ??= `second factor set-up: ${(e as Error).message.slice(0, 2000)}`;
    }
  }
  // The second officer and the alternate sign in once (making their report keys; their TOTP state goes to the same
  // file), and the administrator names the alternate. E2E_INTEGRITY signs in for the first time in a spec.
  try {
    for (const u of [E2E_INTEGRITY2, E2E_ALTERNATE]) {
      await createStaffUser(server, u as unknown as Parameters<typeof createStaffUser>[1]);
      totp[u.email] = totpAccount(u.email, u.password);
      await integrityLogin(new HttpClient(server.url), totp[u.email]);
    }
    if (!admin) throw new Error(`administrator not signed in: ${process.env.E2E_ADMIN_ERROR ?? "?"}`);
    const settings = await admin.get("/staff/integrity/settings");
    const alt = /<option value="(\d+)"[^>]*>[^<]*นางประภา/.exec(settings.text)?.[1];
    const saved = await admin.postForm("/staff/integrity/settings", {
      csrf: csrfOf(settings),
      alternateStaffId: alt ?? "",
      alternateLabelTh: "ประธานคณะกรรมการตรวจสอบของสภา",
      alternateLabelEn: "Chair of the council audit committee",
      retentionYears: "5",
      ackDays: "7",
      feedbackDays: "30",
    });
    if (!alt || saved.status !== 302) throw new Error(`naming the alternate recipient gave ${saved.status}`);
  } catch (e) {
    process.env.E2E_INTEGRITY_ERROR = (e as Error).message.slice(0, 2000);
  }
  fs.writeFileSync(`${server.dbFile}.totp.json`, JSON.stringify(totp));
  process.env.E2E_BASE_URL = server.url;
  process.env.E2E_TAG = crypto.randomBytes(3).toString("hex");
  process.env.E2E_DB_FILE = server.dbFile;
  process.env.E2E_OFFICER = JSON.stringify(E2E_OFFICER);
  process.env.E2E_INTEGRITY = JSON.stringify(E2E_INTEGRITY);
  process.env.E2E_INTEGRITY2 = JSON.stringify(E2E_INTEGRITY2);
  process.env.E2E_ALTERNATE = JSON.stringify(E2E_ALTERNATE);
  process.env.E2E_SUPERVISOR = JSON.stringify(E2E_SUPERVISOR);
  process.env.E2E_ADMIN = JSON.stringify(E2E_ADMIN);
  return async () => {
    await server.stop();
    await smtp.stop();
  };
}
