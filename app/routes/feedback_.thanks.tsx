/** After a counter-feedback answer is saved (POST /feedback redirects here, so a reload never posts it twice). */
import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "~/components/i18n";

export const meta: MetaFunction = () => [{ title: "ขอบคุณ · Sujarit" }];

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
