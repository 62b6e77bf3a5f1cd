/** An answer of the API server other than 2xx. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The API server could not be reached (refused, no route, reset, DNS). */
export class KubeUnreachableError extends Error {
  constructor(readonly cluster: string, readonly cause: Error) {
    super(cause.message);
    this.name = 'KubeUnreachableError';
  }
}

/** The API server did not answer within the client's timeout. */
export class KubeTimeoutError extends Error {
  constructor(readonly cluster: string, readonly timeoutMs: number) {
    super(`no answer from cluster ${cluster} within ${timeoutMs} ms`);
    this.name = 'KubeTimeoutError';
  }
}

/**
 * A live object stands in the way of the plan: one Tracegate did not create,
 * or a namespace still being deleted. Its message says which and why.
 */
export class ObjectConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ObjectConflictError';
  }
}

/**
 * The cluster's settings leave Tracegate without credentials (an empty or
 * unset token): nothing is sent, and the message names the key to set.
 */
export class KubeCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeCredentialsError';
  }
}

/** Network error codes that mean "the server is not there" (API server or database). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Whether a socket error means the server cannot be reached. */
export function isUnreachableCode(error: unknown): error is Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

/** Whether the error is the API server's 404. */
export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

/**
 * A readable one-line reason for a failed call, for `lastApply.error`.
 * Never includes credentials: only the API server's own message.
 */
export function describeKubeError(error: unknown): string {
  if (error instanceof KubeApiError) {
    switch (error.status) {
      case 401:
        return `unauthorized: the cluster refused Tracegate's credentials (${error.message})`;
      case 403:
        return `forbidden: ${error.message}`;
      case 409:
        return `conflict with another field manager: ${error.message}`;
      case 422:
        return `rejected by the API server: ${error.message}`;
      case 404:
        return `not found: ${error.message}`;
      default:
        return `API server answered ${error.status}: ${error.message}`;
    }
  }
  if (error instanceof ObjectConflictError) {
    return `conflict: ${error.message}`;
  }
  if (error instanceof KubeCredentialsError) {
    return `no credentials: ${error.message}`;
  }
  if (error instanceof KubeUnreachableError) {
    return `unreachable: ${error.message}`;
  }
  if (error instanceof KubeTimeoutError) {
    return `unreachable: ${error.message}`;
  }
  return `error: ${(error as Error)?.message ?? String(error)}`;
}
