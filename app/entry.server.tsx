import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { I18nProvider } from "~/components/i18n";
import { NonceProvider } from "~/components/nonce";
import { i18nFor } from "~/i18n";
import { getLang } from "~/utils/request.server";
import { log, errorFields } from "~/utils/logger.server";
import { documentResponse } from "~/utils/document-body.server";

/**
 * Renders the whole document at once (renderToString) and hands the text to the Express layer, which sends it in one
 * write (app/utils/document-body.server.ts). No page defers data, so there is nothing to stream, and React's stream
 * (2 KB chunks through four streams, each compressed on its own) cost more than the render itself; it also emitted stray
 * NUL bytes when a Thai character fell on a chunk's edge. A render error is thrown to Remix, which renders the error
 * boundary instead.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.nonce ?? "";
  const i18n = i18nFor(getLang(request));
  const html =
    "<!DOCTYPE html>" +
    renderToString(
      <NonceProvider value={nonce}>
        <I18nProvider i18n={i18n}>
          <RemixServer context={remixContext} url={request.url} nonce={nonce} />
        </I18nProvider>
      </NonceProvider>,
    );
  return documentResponse(html, { headers: responseHeaders, status: responseStatusCode });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  log.error("request handler error", errorFields(error));
}
