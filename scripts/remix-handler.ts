/**
 * The bridge between Express and the Remix build, with request bodies capped WHILE THEY STREAM.
 *
 * `@remix-run/express` hands the raw request stream to Remix, and `request.formData()` buffers whatever arrives: a
 * chunked body (no Content-Length) of any size went into memory and could end the process. Here every body goes
 * through a counter before Remix sees it:
 *
 * - each path has a limit (bodyLimitFor): the four upload forms take the evidence limit, everything else 1 MB;
 * - a declared Content-Length above the limit is refused before a byte is read;
 * - a body that grows past the limit while streaming errors the stream (so formData() or the multipart parser stop),
 *   and whatever the route answered is replaced by 413;
 * - a body that stalls (no bytes for BODY_IDLE_MS) is answered 408;
 * - a response sent while the body is still unread (a refusal, or a route that answered without reading) carries
 *   `Connection: close` and the rest of the body is discarded as it arrives, so a kept-alive connection is never
 *   left half-read for the next request.
 *
 * Memory stays flat whatever is sent: at most one limit's worth per request is ever held.
 */
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from "express";
import { createRequestHandler as createRemixHandler, writeReadableStreamToWritable } from "@remix-run/node";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { LIMITS } from "../app/lib/validation";
import { closeAfterResponse, httpErrorPage } from "./http";
import { takeDocumentBody } from "../app/utils/document-body.server";
import { FORM_ACTION_HEADER } from "../app/utils/route-headers";
import { endWithWholeBody } from "./whole-body-compression";

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/**
 * A page whose form leaves for another organisation's address names that origin in FORM_ACTION_HEADER: it is added to
 * the CSP's form-action (which is otherwise 'self') and the header itself is dropped. Anything that is not a bare
 * http(s) origin is dropped without widening anything. The page's referrer policy becomes strict-origin: under the
 * portal's usual same-origin policy a browser sends `Origin: null` with a post to another site, and the other
 * organisation lets that one post through only when it can see which of the installation's host names it came from.
 */
export function allowFormActionOrigin(res: Pick<ExpressResponse, "getHeader" | "setHeader">, headers: Headers): void {
  const origin = headers.get(FORM_ACTION_HEADER);
  if (origin === null) return;
  headers.delete(FORM_ACTION_HEADER);
  const csp = res.getHeader("Content-Security-Policy");
  if (typeof csp !== "string" || !ORIGIN.test(origin)) return;
  res.setHeader("Content-Security-Policy", csp.replace("form-action 'self'", `form-action 'self' ${origin}`));
  res.setHeader("Referrer-Policy", "strict-origin");
}

/** Paths whose forms carry evidence files (multipart), and so the upload limit. */
const UPLOAD_PATHS = new Set(["/complaints/new", "/report/new", "/report/inbox", "/staff/intake"]);

/** The upload forms: every file at its largest plus room for the text fields and multipart framing. */
export const UPLOAD_BODY_LIMIT = LIMITS.maxTotalBytes + 2 * 1024 * 1024;
/** Every other form (the longest text field is 10,000 characters; Thai takes 3 bytes each). */
export const FORM_BODY_LIMIT = 1024 * 1024;
/** No byte of the body for this long: 408. */
export const BODY_IDLE_MS = 20_000;

export function bodyLimitFor(pathname: string): number {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return UPLOAD_PATHS.has(path) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT;
}

type BodyState = "reading" | "complete" | "abandoned" | "too-large" | "timeout" | "aborted";

/** Where a request body stands: why it stopped (or "reading"), and how many bytes of it have arrived. */
interface BodyProgress {
  value: BodyState;
  received: number;
}

class BodyRefused extends Error {
  constructor(readonly state: BodyState) {
    super(`request body refused: ${state}`);
  }
}

/**
 * A web ReadableStream of the request body that errors (and records why in `state`) once `limit` bytes are exceeded or
 * the client stops sending while the route waits for more. After that, or when the route stops reading, whatever the
 * client still sends is read and dropped: nothing is held, nothing is left half-read.
 */
function cappedBody(req: ExpressRequest, limit: number, state: BodyProgress): ReadableStream<Uint8Array> {
  let idle: NodeJS.Timeout | undefined;
  const quiet = () => {
    if (idle) clearTimeout(idle);
    idle = undefined;
  };
  let fail: (why: BodyState) => void = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        fail = (why: BodyState) => {
          quiet();
          if (state.value !== "reading") return;
          state.value = why;
          controller.error(new BodyRefused(why));
          req.resume();
        };
        req.on("data", (chunk: Buffer) => {
          if (state.value !== "reading") return; // refused or abandoned: drop it
          quiet();
          state.received += chunk.byteLength;
          if (state.received > limit) return fail("too-large");
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once("end", () => {
          quiet();
          if (state.value !== "reading") return;
          state.value = "complete";
          controller.close();
        });
        req.once("error", () => fail("aborted"));
        req.once("aborted", () => fail("aborted"));
      },
      pull() {
        // The route wants more: the client has BODY_IDLE_MS to send it.
        quiet();
        idle = setTimeout(() => fail("timeout"), BODY_IDLE_MS);
        idle.unref();
        req.resume();
      },
      cancel() {
        // The route stopped reading (e.g. a refused file): drop the rest as it arrives.
        quiet();
        if (state.value === "reading") state.value = "abandoned";
        req.resume();
      },
    },
    { highWaterMark: 256 * 1024, size: (chunk) => chunk.byteLength },
  );
}

function remixHeaders(req: ExpressRequest): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (values === undefined) continue;
    if (Array.isArray(values)) for (const v of values) headers.append(key, v);
    else headers.set(key, values);
  }
  return headers;
}

function refusal(req: ExpressRequest, res: ExpressResponse, state: BodyState): void {
  const status = state === "timeout" ? 408 : 413;
  closeAfterResponse(req, res);
  res.status(status).type("html").send(httpErrorPage(status));
}

/** Bodies sent in one write (a page, JSON): reading a web stream chunk by chunk costs more than the page's render. */
const ONE_WRITE_MAX_BYTES = 1024 * 1024;

/** A body the route already holds in memory and declared small (pages and JSON); files and downloads keep streaming. */
function isSmallBody(response: Response): boolean {
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(length)) return length <= ONE_WRITE_MAX_BYTES;
  return /^(application\/json|text\/html)/.test(response.headers.get("content-type") ?? "");
}

/** Express handler that serves the Remix build with capped request bodies (see the module comment). */
export function createCappedRequestHandler({
  build,
  mode,
  getLoadContext,
  basePath,
}: {
  build: ServerBuild;
  mode: string;
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext;
  /** Where the request's organisation's pages start ("" for the whole server; /o/<code> with ORG_ROUTING=path). */
  basePath?: (res: ExpressResponse) => string;
}) {
  // One Remix handler per base path (its basename): links, forms and redirects of its pages keep the prefix.
  const handles = new Map<string, ReturnType<typeof createRemixHandler>>();
  const handleFor = (base: string) => {
    let h = handles.get(base);
    if (!h) handles.set(base, (h = createRemixHandler(base ? { ...build, basename: base } : build, mode)));
    return h;
  };
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const base = basePath?.(res) ?? "";
    const handle = handleFor(base);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const limit = bodyLimitFor(base && req.path.startsWith(base) ? req.path.slice(base.length) || "/" : req.path);
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (hasBody && Number.isFinite(declared) && declared > limit) {
      return refusal(req, res, "too-large");
    }
    const state: BodyProgress = { value: hasBody ? "reading" : "complete", received: 0 };
    const url = new URL(`${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`);
    let controller: AbortController | null = new AbortController();
    res.on("finish", () => (controller = null));
    res.on("close", () => controller?.abort());
    req.on("aborted", () => {
      if (state.value === "reading") state.value = "aborted";
    });
    const init: RequestInit & { duplex?: "half" } = { method: req.method, headers: remixHeaders(req), signal: controller.signal };
    if (hasBody) {
      init.body = cappedBody(req, limit, state);
      init.duplex = "half";
    }
    try {
      const response = await handle(new Request(url.href, init), getLoadContext(req, res));
      if (state.value === "too-large" || state.value === "timeout") {
        await response.body?.cancel().catch(() => {});
        return refusal(req, res, state.value);
      }
      if (state.value === "aborted") {
        await response.body?.cancel().catch(() => {});
        res.destroy();
        return;
      }
      // The route answered without reading the whole body (or stopped early, e.g. a refused file): do not keep the
      // connection, and throw away the rest of the body as it arrives.
      // A route that answered before the body's end had arrived: close, so the rest is never read as the next request.
      // A body whose declared length has all arrived is read (Node only has not said so yet: a form handled in the
      // same turn as its last bytes): the connection stays open for the browser's next request.
      const allArrived = Number.isFinite(declared) && state.received >= declared;
      if (hasBody && !req.complete && !allArrived) closeAfterResponse(req, res);
      res.statusMessage = response.statusText;
      res.status(response.status);
      allowFormActionOrigin(res, response.headers);
      for (const [key, value] of response.headers.entries()) res.append(key, value);
      const page = takeDocumentBody(response);
      if (page !== undefined) {
        // The page's length was that of its text; the bytes (compressed or not) set it again.
        res.removeHeader("Content-Length");
        await endWithWholeBody(req, res, Buffer.from(page, "utf8"));
      } else if (!response.body) res.end();
      else if (isSmallBody(response)) {
        const body = Buffer.from(await response.arrayBuffer());
        res.removeHeader("Content-Length");
        await endWithWholeBody(req, res, body);
      } else await writeReadableStreamToWritable(response.body, res);
    } catch (error) {
      next(error);
    }
  };
}
