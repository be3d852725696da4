/**
 * The LINE Official Account's settings and the SDK's clients (@line/bot-sdk), pointed at LINE_API_BASE_URL and
 * LINE_DATA_API_BASE_URL. LINE is on only when the channel secret, the access token and the basic ID are all set.
 * Nothing here is imported by the corruption channel (app/models/report): no report ever reaches LINE.
 */
import { messagingApi } from "@line/bot-sdk";
import { getEnv } from "~/utils/env.server";
import { servesSeveralOrganisations } from "~/utils/site-context.server";

export interface LineConfig {
  channelSecret: string;
  accessToken: string;
  /** Basic ID with its @, e.g. "@wangluek". */
  oaId: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
}

/**
 * The LINE settings, or null when LINE is off. An installation with several organisations has no LINE yet: one
 * official account belongs to one organisation, and per-organisation LINE settings are not built.
 */
export function lineConfig(): LineConfig | null {
  const env = getEnv();
  if (servesSeveralOrganisations()) return null;
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

let clients: { api: messagingApi.MessagingApiClient; blob: messagingApi.MessagingApiBlobClient; key: string } | null = null;

function sdkClients(config: LineConfig) {
  const key = `${config.apiBaseUrl}|${config.dataApiBaseUrl}|${config.accessToken}`;
  if (!clients || clients.key !== key) {
    clients = {
      key,
      api: new messagingApi.MessagingApiClient({ channelAccessToken: config.accessToken, baseURL: config.apiBaseUrl }),
      blob: new messagingApi.MessagingApiBlobClient({ channelAccessToken: config.accessToken, baseURL: config.dataApiBaseUrl }),
    };
  }
  return clients;
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
