/**
 * The LINE Official Account's settings and the SDK's clients (@line/bot-sdk), pointed at LINE_API_BASE_URL and
 * LINE_DATA_API_BASE_URL. LINE is on only when the channel secret, the access token and the basic ID are all set.
 * Nothing here is imported by the corruption channel (app/models/report): no report ever reaches LINE.
 */
import { messagingApi } from "@line/bot-sdk";
import { getEnv } from "~/utils/env.server";
import { activeSite, servesSeveralOrganisations } from "~/utils/site-context.server";

export interface LineConfig {
  channelSecret: string;
  accessToken: string;
  /** Basic ID with its @, e.g. "@wangluek". */
  oaId: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
}

/**
 * The LINE settings, or null when LINE is off. An installation with several organisations: the organisation's own
 * official account (`npm run org -- line`, sealed in the platform database; the LINE_CHANNEL_* variables are not
 * used), or null for one that has none — its pages offer no LINE and its /line/webhook is 404.
 */
export function lineConfig(): LineConfig | null {
  const env = getEnv();
  if (servesSeveralOrganisations()) {
    const own = activeSite()?.lineSettings() ?? null;
    return own ? { ...own, apiBaseUrl: env.LINE_API_BASE_URL, dataApiBaseUrl: env.LINE_DATA_API_BASE_URL } : null;
  }
  if (!env.LINE_CHANNEL_SECRET || !env.LINE_CHANNEL_ACCESS_TOKEN || !env.LINE_OA_ID) return null;
  return {
    channelSecret: env.LINE_CHANNEL_SECRET,
    accessToken: env.LINE_CHANNEL_ACCESS_TOKEN,
    oaId: env.LINE_OA_ID,
    apiBaseUrl: env.LINE_API_BASE_URL,
    dataApiBaseUrl: env.LINE_DATA_API_BASE_URL,
  };
}

export function lineEnabled(): boolean {
  return lineConfig() !== null;
}

type SdkClients = { api: messagingApi.MessagingApiClient; blob: messagingApi.MessagingApiBlobClient };
/** One pair of clients per account (each organisation's own token); a changed token or host makes a new pair. */
const clients = new Map<string, SdkClients>();

function sdkClients(config: LineConfig): SdkClients {
  const key = `${config.apiBaseUrl}|${config.dataApiBaseUrl}|${config.accessToken}`;
  let c = clients.get(key);
  if (!c) {
    c = {
      api: new messagingApi.MessagingApiClient({ channelAccessToken: config.accessToken, baseURL: config.apiBaseUrl }),
      blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken: config.accessToken, baseURL: config.dataApiBaseUrl }),
    };
    // Tokens that were replaced are not kept for ever: the oldest pair goes once there are more than accounts.
    if (clients.size >= 2000) clients.delete(clients.keys().next().value!);
    clients.set(key, c);
  }
  return c;
}

/** The Messaging API client (reply, push). */
export function messagingClient(config: LineConfig): messagingApi.MessagingApiClient {
  return sdkClients(config).api;
}

/** The content client (photos sent in the chat). */
export function blobClient(config: LineConfig): messagingApi.MessagingApiBlobClient {
  return sdkClients(config).blob;
}

/** "https://line.me/R/ti/p/%40wangluek": adds the account as a friend. */
export function addFriendUrl(config: LineConfig): string {
  return `https://line.me/R/ti/p/${encodeURIComponent(config.oaId)}`;
}

/** Opens the chat with the account with `text` typed in, ready to send. */
export function chatWithTextUrl(config: LineConfig, text: string): string {
  return `https://line.me/R/oaMessage/${encodeURIComponent(config.oaId)}/?${encodeURIComponent(text)}`;
}
