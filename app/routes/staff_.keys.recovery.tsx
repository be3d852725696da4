/**
 * /staff/keys/recovery — the recovery key made with a report recipient's key pair, shown exactly once (it was kept in
 * memory only until this page takes it). With it, after a password reset, the person opens their private key again;
 * without it, reports already received need a colleague who holds them to give access again. Printable.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { takeNewRecoveryKey } from "~/models/report/key-vault.server";
import { staffKeyInfo } from "~/models/report/staff-keys.server";
import { getDb } from "~/utils/db.server";
import { safeRedirectPath } from "~/utils/request.server";
import { holdsReportKeys, requireStaff, vaultSessionOf } from "~/utils/session.server";

export const handle = { i18n: ["integrity"] };

export const meta: MetaFunction = () => [{ title: "สุจริต · กุญแจกู้คืน / Recovery key" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  if (!holdsReportKeys(staff)) throw redirect("/staff");
  const raw = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), "/staff/integrity");
  const next = raw.startsWith("/staff/") && !raw.startsWith("/staff/keys") ? raw : "/staff/integrity";
  const session = vaultSessionOf(request);
  const recoveryKey = session ? await takeNewRecoveryKey(getDb(), session, staff.id) : null;
  if (!recoveryKey) throw redirect(next);
  const info = await staffKeyInfo(getDb(), staff.id);
  return json({ recoveryKey, next, name: staff.name, fingerprint: info?.fingerprint ?? "" }, { headers: { "Cache-Control": "no-store" } });
}

export default function RecoveryKey() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation("integrity");
  return (
    <section className="card recovery-key" aria-labelledby="rk-title">
      <h1 id="rk-title">{t("keys.recoveryTitle")}</h1>
      <p>{t("keys.recoveryIntro")}</p>
      <p className="code-display recovery-key-value" data-testid="recovery-key">
        {data.recoveryKey}
      </p>
      <p>
        {t("keys.recoveryFor", { name: data.name })} · {t("keys.fingerprint")}: <code>{data.fingerprint}</code>
      </p>
      <p className="warning">{t("keys.recoveryOnce")}</p>
      <ul>
        <li>{t("keys.recoveryKeep1")}</li>
        <li>{t("keys.recoveryKeep2")}</li>
        <li>{t("keys.recoveryKeep3")}</li>
      </ul>
      <p className="no-print">
        <Link to={data.next} className="button" data-testid="continue">
          {t("keys.recoveryContinue")}
        </Link>
      </p>
    </section>
  );
}
