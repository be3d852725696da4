/**
 * One way from a DomainError to a response. A route action wraps its domain call:
 *
 *   try { await closeCase(db, actor, input) } catch (e) { return domainErrorReply(e, { intent }) }
 *
 * 404 is thrown as a Response (the route's error boundary shows "not found"); every other DomainError becomes a
 * JSON reply with the status and `{ error: { key, params, field, ns } }` merged with `extra` (form values, the
 * intent, kept files) so the page can show its error summary. Anything that is not a DomainError is re-thrown:
 * a bug stays a 500 and is logged by the server, never dressed up as a user error.
 */
import { json } from "@remix-run/node";
import { isDomainError, type DomainError } from "~/lib/domain-error";

export interface DomainErrorBody {
  key: string;
  params: Record<string, string | number>;
  field?: string;
  ns?: string;
}

export function domainErrorBody(e: DomainError): DomainErrorBody {
  return { key: e.messageKey, params: e.params, ...(e.field ? { field: e.field } : {}), ...(e.ns ? { ns: e.ns } : {}) };
}

export function domainErrorReply<Extra extends Record<string, unknown>>(e: unknown, extra?: Extra) {
  if (!isDomainError(e)) throw e;
  if (e.status === 404) throw json({ messageKey: e.messageKey }, { status: 404 });
  return json({ ...(extra ?? ({} as Extra)), error: domainErrorBody(e) }, { status: e.status });
}
