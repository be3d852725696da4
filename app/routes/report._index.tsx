import { useTranslation } from "~/components/i18n";

/** Until the corruption channel (measure 28) opens, this page keeps reports out of the general channel. */
export default function ReportInterim() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("reportInterim.title")}</h1>
      <p className="lead">{t("reportInterim.intro")}</p>
      <p className="warning">{t("reportInterim.doNotUseGeneral")}</p>
      <p>{t("reportInterim.elsewhere")}</p>
      <ul>
        <li>{t("reportInterim.nacc")}</li>
        <li>{t("reportInterim.damrongdham")}</li>
      </ul>
    </>
  );
}
