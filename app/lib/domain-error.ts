/**
 * The one error type of the domain modules. A model function that refuses something throws a DomainError with
 * the HTTP status a route should answer, an i18n message key (with its namespace, when not the route's default),
 * the interpolation parameters and, when the refusal is about one form field, that field's name.
 * Routes turn it into a response with `domainErrorReply` (app/utils/domain-reply.server.ts); nothing else
 * needs an `instanceof` ladder.
 */
export type DomainErrorStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 423 | 429 | 503;

export interface DomainErrorOptions {
  params?: Record<string, string | number>;
  field?: string;
  /** i18n namespace of `messageKey` when it is not the one the page uses. */
  ns?: string;
  cause?: unknown;
}

export class DomainError extends Error {
  readonly status: DomainErrorStatus;
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  readonly field: string | undefined;
  readonly ns: string | undefined;

  constructor(status: DomainErrorStatus, messageKey: string, options: DomainErrorOptions = {}) {
    super(
      options.field ? `${options.field}: ${messageKey}` : messageKey,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "DomainError";
    this.status = status;
    this.messageKey = messageKey;
    this.params = options.params ?? {};
    this.field = options.field;
    this.ns = options.ns;
  }

  /** Input the user can correct (a field, or the form as a whole). */
  static invalid(field: string | undefined, messageKey: string, options: Omit<DomainErrorOptions, "field"> = {}) {
    return new DomainError(422, messageKey, { ...options, field });
  }
  static notFound(messageKey = "errors.notFound", options: DomainErrorOptions = {}) {
    return new DomainError(404, messageKey, options);
  }
  static forbidden(messageKey = "errors.forbidden", options: DomainErrorOptions = {}) {
    return new DomainError(403, messageKey, options);
  }
  /** The action does not fit the record's current state (already closed, changed by someone else…). */
  static conflict(messageKey: string, options: DomainErrorOptions = {}) {
    return new DomainError(409, messageKey, options);
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
