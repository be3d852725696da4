/**
 * what per-recipient keys cost. `npm run bench -- --report-keys [--before-ref <git ref>]`
 *
 * For each build (the current one, and with --before-ref the given commit, checked out under bench/.before/<ref>, its
 * packages installed and built once), in one run: a fresh data folder, an integrity officer who signs in once (TOTP
 * set-up, and in the current build the creation of their key pair), then with one client at a time (the latency a
 * person sees):
 *   - bare form action (POST /language) — the baseline of the run,
 *   - filing a report (POST /report/new, multipart, a new submission key per request),
 *   - opening the inbox with a correct receipt (POST /report/inbox),
 *   - an integrity officer's password step (POST /staff/login: argon2 verify; in the current build also the argon2id
 *     that makes the key that opens their private key).
 * Each request carries its own client address (the server trusts one proxy hop), so per-client limits stay out of it.
 */
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type autocannon from "autocannon";
import { measure as measureWith, startBenchServer, type Measure } from "./harness";
import { HttpClient } from "../tests/helpers/http";
import { fileReport, integrityLogin, totpAccount } from "../tests/helpers/report";

export interface ReportKeysRun {
  label: string;
  results: Measure[];
}

const OFFICER = { email: "bench-integrity@wangluek.go.th", name: "ผู้รับเรื่อง ทดสอบความเร็ว", password: "bench integrity password 2569" };

/** A checkout of `ref` under bench/.before/<ref>, installed and built (once). */
export function prepareBefore(root: string, ref: string): string {
  const dir = path.join(root, "bench", ".before", ref.replace(/[^A-Za-z0-9._-]/g, "_"));
  if (!fs.existsSync(path.join(dir, "build", "server.js"))) {
    if (!fs.existsSync(dir)) execFileSync("git", ["worktree", "add", "--detach", dir, ref], { cwd: root, stdio: "inherit" });
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit" });
    execFileSync("npm", ["run", "build"], { cwd: dir, stdio: "inherit" });
  }
  return dir;
}

function addOfficer(buildRoot: string, dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Newer builds print an enrolment link unless told to read the password from standard input.
    const stdinFlag = fs.readFileSync(path.join(buildRoot, "scripts", "staff.ts"), "utf8").includes("password-stdin")
      ? ["--password-stdin"]
      : [];
    const p = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/staff.ts", "add", "--email", OFFICER.email, "--name", OFFICER.name, "--role", "integrity", ...stdinFlag],
      {
        cwd: buildRoot,
        env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: "production" },
        stdio: ["pipe", "ignore", "inherit"],
      },
    );
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`staff add exited ${code}`))));
    p.stdin.end(`${OFFICER.password}\n`);
  });
}

function multipart(fields: Record<string, string>, boundary: string): string {
  return (
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join("") + `--${boundary}--\r\n`
  );
}

async function measureBuild(label: string, buildRoot: string, duration: number): Promise<ReportKeysRun> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sujarit-bench-keys-"));
  // TRUST_PROXY_HOPS for older builds (before TRUSTED_PROXIES); newer ones ignore it with a warning.
  const { url, child } = await startBenchServer(buildRoot, dataDir, { REPORT_NOTICE_WINDOW_MINUTES: "0", TRUST_PROXY_HOPS: "1" });
  try {
    await addOfficer(buildRoot, dataDir);
    await integrityLogin(new HttpClient(url, { ip: "10.200.0.1" }), totpAccount(OFFICER.email, OFFICER.password));
    // Receipts to open inboxes with (a few reports filed through the form).
    const receipts: string[] = [];
    for (let i = 0; i < 8; i++) receipts.push((await fileReport(new HttpClient(url, { ip: `10.201.0.${i + 1}` }))).receipt);

    const home = await fetch(`${url}/report/new`);
    const csrf = /csrf=([A-Za-z0-9_-]{43})/.exec(home.headers.get("set-cookie") ?? "")?.[1];
    if (!csrf) throw new Error("no CSRF cookie from /report/new");
    const cookie = `csrf=${csrf}`;
    let n = 0;
    const client = () => `10.${100 + ((n >> 16) & 127)}.${(n >> 8) & 255}.${n++ & 255}`;
    const m = (name: string, opts: autocannon.Options, ok: number[]) =>
      measureWith(name, { connections: 1, ...opts }, ok, { connections: 1, duration });
    const form = "application/x-www-form-urlencoded";
    const results: Measure[] = [];
    await m("warm-up", { url, duration: 2, requests: [{ method: "GET", path: "/report" }] }, [200]);
    results.push(
      await m(
        "bare form action (POST /language)",
        {
          url,
          requests: [
            {
              method: "POST",
              path: "/language",
              headers: { "Content-Type": form, Cookie: cookie },
              body: new URLSearchParams({ csrf, lng: "th", redirectTo: "/" }).toString(),
            },
          ],
        },
        [302],
      ),
    );
    const boundary = "----sujaritbench" + crypto.randomBytes(6).toString("hex");
    results.push(
      await m(
        "filing a report (POST /report/new)",
        {
          url,
          requests: [
            {
              method: "POST",
              path: "/report/new",
              setupRequest: (req: any) => ({
                ...req,
                headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, Cookie: cookie, "X-Forwarded-For": client() },
                body: multipart(
                  {
                    csrf,
                    submissionKey: crypto.randomBytes(32).toString("base64url"),
                    website: "",
                    mode: "anonymous",
                    recipient: "integrity",
                    involvedName: "",
                    involvedPosition: "หัวหน้าฝ่ายพัสดุ",
                    involvedDivision: "กองคลัง",
                    whatHappened: "มีการเรียกรับเงินจากผู้รับเหมาเพื่อให้ผ่านการตรวจรับงานถนนสายหมู่ 3",
                    when: "เดือนที่แล้ว",
                    where: "ที่ทำการ อบต.",
                    howKnown: "เห็นด้วยตนเอง",
                    reportedElsewhere: "",
                  },
                  boundary,
                ),
              }),
            },
          ],
        },
        [302],
      ),
    );
    let r = 0;
    results.push(
      await m(
        "opening the inbox with a correct receipt (POST /report/inbox)",
        {
          url,
          requests: [
            {
              method: "POST",
              path: "/report/inbox",
              setupRequest: (req: any) => ({
                ...req,
                headers: { "Content-Type": form, Cookie: cookie, "X-Forwarded-For": client() },
                body: new URLSearchParams({ csrf, intent: "open", receipt: receipts[r++ % receipts.length] }).toString(),
              }),
            },
          ],
        },
        [302],
      ),
    );
    results.push(
      await m(
        "integrity officer's password step (POST /staff/login)",
        {
          url,
          requests: [
            {
              method: "POST",
              path: "/staff/login",
              setupRequest: (req: any) => ({
                ...req,
                headers: { "Content-Type": form, Cookie: cookie, "X-Forwarded-For": client() },
                body: new URLSearchParams({
                  csrf,
                  email: OFFICER.email,
                  password: OFFICER.password,
                  redirectTo: "/staff/integrity",
                }).toString(),
              }),
            },
          ],
        },
        [302],
      ),
    );
    return { label, results };
  } finally {
    child.kill("SIGTERM");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function measureReportKeys(opts: { root: string; beforeRef?: string; duration: number }): Promise<ReportKeysRun[]> {
  const runs: ReportKeysRun[] = [];
  if (opts.beforeRef) runs.push(await measureBuild(`before (${opts.beforeRef})`, prepareBefore(opts.root, opts.beforeRef), opts.duration));
  runs.push(await measureBuild("after (this build)", opts.root, opts.duration));
  return runs;
}

export function printReportKeys(runs: ReportKeysRun[]): void {
  console.log(`\nPer-recipient report keys — one client at a time, ${new Date().toISOString()}`);
  const rows = runs.flatMap((run) => {
    const bare = run.results[0];
    return run.results.map((x) => ({
      build: run.label,
      route: x.name,
      "p50 ms": x.p50.toFixed(1),
      "p95 ms": x.p95.toFixed(1),
      "× bare p95": (x.p95 / bare.p95).toFixed(2),
      "req/s": x.reqPerSec.toFixed(1),
      ok: x.ok,
      "other/errors": x.errors,
    }));
  });
  console.table(rows);
  if (runs.length === 2) {
    for (const [i, x] of runs[1].results.entries()) {
      const b = runs[0].results[i];
      if (i > 0 && b)
        console.log(
          `  ${x.name}: p95 ${b.p95.toFixed(1)} → ${x.p95.toFixed(1)} ms (${(x.p95 - b.p95 >= 0 ? "+" : "") + (x.p95 - b.p95).toFixed(1)} ms)`,
        );
    }
  }
  for (const run of runs)
    for (const x of run.results) if (x.errors > 0) console.log(`  ${run.label} ${x.name}: statuses ${JSON.stringify(x.statuses)}`);
}
