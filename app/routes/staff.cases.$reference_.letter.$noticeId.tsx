/**
 * A notice as a printable letter (หนังสือแจ้ง) for complainants without e-mail: the organisation's letterhead, the Thai
 * date, the reference, the complainant's name and postal address, and the text exactly as recorded.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Link } from "~/components/links";
import { tFor } from "~/i18n";
import { parseCaseReference } from "~/lib/complaint-reference";
import { formatThaiDate } from "~/lib/thai-date";
import { isDomainError } from "~/lib/domain-error";
import { getCaseForStaff } from "~/models/complaints/handling.server";
import { getNotice } from "~/models/notices/notices.server";
import { getOrgProfile } from "~/models/organisation/profile.server";
import { getDb } from "~/utils/db.server";
import { requireStaff } from "~/utils/session.server";

export const handle = { i18n: ["notice"] };

export const meta: MetaFunction = () => [{ title: "หนังสือแจ้ง · Sujarit" }, { name: "robots", content: "noindex, nofollow" }];

function notFound(): never {
  throw json({ messageKey: "caseErrors.notFound" }, { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const ref = parseCaseReference(params.reference ?? "");
  if (!ref || !/^\d{1,12}$/.test(params.noticeId ?? "")) notFound();
  const db = getDb();
  let c;
  try {
    c = (await getCaseForStaff(db, ref.reference, staff)).complaint; // 404 for cases this person may not see
  } catch (e) {
    if (isDomainError(e) && e.status === 404) notFound();
    throw e;
  }
  const n = await getNotice(db, c.id, Number(params.noticeId));
  if (!n) notFound();
  const org = await getOrgProfile(db);
  const lang: "th" | "en" = n.lang === "en" ? "en" : "th";
  return json({
    lang,
    reference: c.reference,
    kind: n.kind,
    body: n.body,
    date: formatThaiDate(new Date(n.created_at), lang),
    to: c.contact_name,
    address: c.contact_address,
    org: {
      name: lang === "en" ? org.name_en : org.name_th,
      address: lang === "en" ? org.address_en : org.address_th,
      phone: org.phone,
      email: org.email,
    },
  });
}

export default function Letter() {
  const d = useLoaderData<typeof loader>();
  // The letter is in the complainant's language, whatever the officer's page language is.
  const t = tFor(d.lang, "notice");
  return (
    <>
      <p className="no-print">
        <Link to={`/staff/cases/${d.reference}`}>← {t("letter.back")}</Link>
      </p>
      <article className="letter" data-testid="letter" lang={d.lang}>
        <header className="letterhead">
          <strong>{d.org.name}</strong>
          {d.org.address ? <div className="pre-wrap">{d.org.address}</div> : null}
          {d.org.phone ? <div>{t("letter.phone", { phone: d.org.phone })}</div> : null}
          {d.org.email ? <div>{d.org.email}</div> : null}
        </header>
        <p className="letter-meta">
          {t("letter.reference")} {d.reference}
          <br />
          {t("letter.date")} {d.date}
        </p>
        <p>
          {t("letter.subjectLabel")} {t(`kinds.${d.kind}`)}
        </p>
        <p>
          {t("letter.to")} {d.to || t("letter.toDefault")}
          {d.address ? <span className="pre-wrap letter-address">{"\n" + d.address}</span> : null}
        </p>
        <p className="pre-wrap letter-body" data-testid="letter-body">
          {d.body}
        </p>
        <p className="letter-closing">
          {t("letter.closing")}
          <br />
          <br />
          {d.org.name}
        </p>
      </article>
    </>
  );
}
