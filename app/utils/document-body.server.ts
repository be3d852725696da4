/**
 * Pages travel from the render (app/entry.server.tsx) to the socket (scripts/remix-handler.ts) as the rendered string
 * itself, not as a web stream: a `Response` body would encode the page into a new buffer, read it back chunk by chunk
 * and copy it again (two or three copies of every page, most of the portal's allocation per request, and the cause of
 * most of its garbage collections under load). The page's Response carries no body; its text is kept here, keyed by
 * that Response, and the Express layer writes it with one `res.end()`.
 *
 * The server bundle (scripts/) and the Remix build (app/) are separate modules, so the map lives on `globalThis`. A
 * response without an entry (every non-page answer) is sent the ordinary way.
 */
const KEY = Symbol.for("sujarit.documentBodies");

type Registry = WeakMap<Response, string>;

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (g[KEY] ??= new WeakMap());
}

/** A page's Response: headers and status, with `html` as its body (sent by the Express layer). */
export function documentResponse(html: string, init: { headers: Headers; status: number }): Response {
  init.headers.set("Content-Type", "text/html; charset=utf-8");
  init.headers.set("Content-Length", String(Buffer.byteLength(html, "utf8")));
  const response = new Response(null, init);
  registry().set(response, html);
  return response;
}

/** The page text of a Response made by documentResponse (taken: a second call gives undefined), else undefined. */
export function takeDocumentBody(response: Response): string | undefined {
  const html = registry().get(response);
  if (html !== undefined) registry().delete(response);
  return html;
}
