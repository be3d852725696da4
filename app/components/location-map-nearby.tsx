/**
 * The open complaints near the pin, as a list (the same cases are drawn on the map): category, state, the day it was
 * received and how many people said "me too". Each has a "me too" (ฉันก็พบปัญหานี้) button, so a citizen whose
 * problem is already reported can say so instead of filing it again. The button posts to /complaints/me-too (CSRF
 * token, honeypot, rate limit; one per device per case) and says what happened.
 */
import { useState } from "react";
import { useTranslation } from "~/components/i18n";
import { useRootData } from "~/components/root-data";

/** A nearby case as /complaints/nearby returns it. */
export interface NearbyCaseView {
  id: string;
  lat: number;
  lng: number;
  category: string;
  state: "received" | "in_progress";
  receivedOn: string;
  meToo: number;
}

export function NearbyList({
  state,
  cases,
  errorKey,
}: {
  state: "loading" | "done" | "failed";
  cases: NearbyCaseView[];
  errorKey: string | null;
}) {
  const { t } = useTranslation("map");
  return (
    <section className="nearby" aria-labelledby="nearby-title" aria-busy={state === "loading"} data-testid="nearby">
      <h3 id="nearby-title">{t("nearby.title")}</h3>
      {state === "loading" ? <p className="hint">{t("nearby.loading")}</p> : null}
      {state === "failed" && errorKey ? <p className="warning">{t(errorKey)}</p> : null}
      {state === "done" && cases.length === 0 ? <p className="hint">{t("nearby.none")}</p> : null}
      {state === "done" && cases.length > 0 ? (
        <>
          <p className="hint">{t("nearby.intro", { count: cases.length })}</p>
          <ul className="nearby-list">
            {cases.map((c) => (
              <NearbyItem key={c.id} c={c} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

type Outcome = { kind: "idle" } | { kind: "sending" } | { kind: "ok"; count: number } | { kind: "refused"; key: string };

function NearbyItem({ c }: { c: NearbyCaseView }) {
  const { t } = useTranslation("map");
  const root = useRootData();
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const headingId = `nearby-${c.id}`;
  const send = async () => {
    setOutcome({ kind: "sending" });
    try {
      const body = new URLSearchParams({ csrf: root?.csrf ?? "", website: "", case: c.id });
      const res = await fetch("/complaints/me-too", {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
      });
      const data = (await res.json().catch(() => null)) as { count?: number; formError?: string | null } | null;
      if (res.ok && typeof data?.count === "number") setOutcome({ kind: "ok", count: data.count });
      else setOutcome({ kind: "refused", key: data?.formError ?? "map:meToo.failed" });
    } catch {
      setOutcome({ kind: "refused", key: "map:meToo.failed" });
    }
  };
  const count = outcome.kind === "ok" ? outcome.count : c.meToo;
  return (
    <li className="nearby-case" data-testid="nearby-case" aria-labelledby={headingId}>
      <p id={headingId}>
        <strong>{c.category}</strong> · {t(`state.${c.state}`)}
      </p>
      <p className="hint">
        {t("nearby.received", { date: c.receivedOn })}
        {count > 0 ? ` · ${t("nearby.meTooCount", { count })}` : ""}
      </p>
      {outcome.kind === "ok" ? (
        <p className="success" role="status" data-testid="me-too-done">
          {t("meToo.done", { count: outcome.count })}
        </p>
      ) : (
        <>
          <button
            type="button"
            className="button secondary"
            onClick={() => void send()}
            disabled={outcome.kind === "sending"}
            aria-describedby={headingId}
          >
            {t("meToo.button")}
          </button>
          <span role="status" className={outcome.kind === "refused" ? "field-error" : "hint"}>
            {outcome.kind === "refused" ? t(outcome.key) : outcome.kind === "sending" ? t("meToo.sending") : ""}
          </span>
        </>
      )}
    </li>
  );
}
