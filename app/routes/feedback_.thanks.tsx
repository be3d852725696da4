/** After a counter-feedback answer is saved (POST /feedback redirects here, so a reload never posts it twice). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link } from "~/components/links";
import { useTranslation } from "~/components/i18n";
import { tFor } from "~/i18n";
import { getLang } from "~/utils/request.server";

export const handle = { i18n: ["satisfaction"] };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: tFor(data?.lang ?? "th", "satisfaction")("feedback.thanksMetaTitle") },
];

/** Only the visitor's language (for the page title). */
export async function loader({ request }: LoaderFunctionArgs) {
  return json({ lang: getLang(request) });
}

export default function FeedbackThanksRoute() {
  const { t } = useTranslation("satisfaction");
  const tc = useTranslation().t;
  return (
    <>
      <h1>{t("feedback.thanksTitle")}</h1>
      <p className="success" role="status" data-testid="feedback-thanks">
        {t("feedback.thanks")}
      </p>
      <p className="actions-row">
        <Link to="/feedback" className="button secondary">
          {t("feedback.another")}
        </Link>
        <Link to="/">{tc("errors.backHome")}</Link>
      </p>
    </>
  );
}
