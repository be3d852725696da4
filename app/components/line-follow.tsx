/** "Follow on LINE" on the receipt page (app/models/line/receipt-offer.server.ts makes the offer). */
import { useTranslation } from "~/components/i18n";

export interface LineFollowView {
  oaId: string;
  code: string;
  message: string;
  chatUrl: string;
  addFriendUrl: string;
  qrSvg: string;
  minutes: number;
}

export function LineFollow({ offer }: { offer: LineFollowView }) {
  const { t } = useTranslation("line");
  return (
    <section className="card line-follow no-print" aria-labelledby="line-follow-title" data-testid="line-follow">
      <h2 id="line-follow-title">{t("follow.title")}</h2>
      <p>{t("follow.intro", { oaId: offer.oaId })}</p>
      <div className="line-follow-body">
        <figure className="receipt-qr">
          {/* SVG produced server-side by the qrcode library from our own text (the LINE address and the link code). */}
          <div aria-hidden="true" dangerouslySetInnerHTML={{ __html: offer.qrSvg }} />
          <figcaption>{t("follow.scan")}</figcaption>
        </figure>
        <div>
          <p>
            <a className="button" href={offer.chatUrl} data-testid="line-chat-link" rel="noopener noreferrer">
              {t("follow.open")}
            </a>
          </p>
          <p>
            {t("follow.codeLabel")}:{" "}
            <strong className="code-display" data-testid="line-link-code">
              {offer.code}
            </strong>
          </p>
          <p className="hint">{t("follow.codeHint", { minutes: offer.minutes })}</p>
          <p>
            {t("follow.manual", { oaId: offer.oaId })} <strong lang="th">{offer.message}</strong>
          </p>
          <p>
            <a href={offer.addFriendUrl} rel="noopener noreferrer">
              {t("follow.addFriend", { oaId: offer.oaId })}
            </a>
          </p>
        </div>
      </div>
    </section>
  );
}

/** On the officer's case page: the complainant follows the case on LINE (never who). */
export function LineFollowedNote() {
  const { t } = useTranslation("line");
  return (
    <p className="notice" data-testid="case-line-followed">
      {t("staff.followed")}
    </p>
  );
}
