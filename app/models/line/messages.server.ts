/** LINE message shapes used by the portal: text with optional quick-reply buttons (postbacks or the camera/location pickers). */
import type { messagingApi } from "@line/bot-sdk";
import { tFor, type Lang } from "~/i18n";

/** LINE's limits: a text message holds at most 5,000 characters, a quick-reply label 20, postback data 300 bytes. */
const TEXT_MAX = 5000;
const LABEL_MAX = 20;

export type QuickReply =
  | { kind: "postback"; label: string; data: string; displayText?: string }
  | { kind: "location"; label: string }
  | { kind: "camera"; label: string };

export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join("") + "…";
}

export function textMessage(text: string, quick: QuickReply[] = []): messagingApi.TextMessage {
  const message: messagingApi.TextMessage = { type: "text", text: clip(text, TEXT_MAX) };
  if (quick.length > 0) {
    message.quickReply = {
      items: quick.slice(0, 13).map((q) => {
        const label = clip(q.label, LABEL_MAX);
        if (q.kind === "location") return { type: "action", action: { type: "location", label } };
        if (q.kind === "camera") return { type: "action", action: { type: "camera", label } };
        return {
          type: "action",
          action: { type: "postback", label, data: q.data, displayText: clip(q.displayText ?? q.label, 300) },
        };
      }),
    };
  }
  return message;
}

/** A chat text in Thai and English when the person's language is not known (Thai first). */
export function bothLanguages(key: string, params: Record<string, string | number> = {}): string {
  const th = tFor("th", "line")(key, params);
  const en = tFor("en", "line")(key, params);
  return th === en ? th : `${th}\n\n${en}`;
}

export function inLang(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  return tFor(lang, "line")(key, params);
}
