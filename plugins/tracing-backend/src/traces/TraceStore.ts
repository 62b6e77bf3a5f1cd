import { TraceLookup, TraceSummary } from '@tracegate/plugin-tracing-common';
import { TraceStoreSettings } from '../clusters/config';

/** One search: the traces of a target that started in a window. */
export type TraceQuery = {
  lookup: TraceLookup;
  fromMs: number;
  toMs: number;
  limit: number;
  /** Whether to find out which traces have an error (Tempo: a second search). Default: true. */
  flagErrors?: boolean;
};

/** A trace store's query API, as Tracegate reads it. */
export interface TraceStore {
  /** Traces of the query's target, newest first, at most `limit`. */
  search(query: TraceQuery): Promise<Omit<TraceSummary, 'url'>[]>;
}

/** The store did not answer, or answered something else than traces. */
export class TraceStoreError extends Error {
  name = 'TraceStoreError';
}

const QUERY_TIMEOUT_MS = 5_000;

/**
 * GET of a store's JSON answer; `undefined` for a 404 when the store answers
 * 404 for "no traces" (Jaeger). Errors name the store and its host only:
 * never the headers, which may hold a credential.
 */
export async function getJson(
  settings: TraceStoreSettings,
  path: string,
  params: URLSearchParams,
  options: { notFoundIsEmpty?: boolean } = {},
): Promise<unknown> {
  const url = `${settings.url}${path}?${params}`;
  const where = `${settings.type} at ${new URL(settings.url).host}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { Accept: 'application/json', ...settings.headers },
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } })
      .cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${QUERY_TIMEOUT_MS / 1000} s`
        : cause?.code ?? cause?.message ?? (error as Error).message;
    throw new TraceStoreError(
      `The trace store (${where}) did not answer: ${reason}`,
    );
  }
  if (res.status === 404 && options.notFoundIsEmpty) {
    await res.body?.cancel();
    return undefined;
  }
  const text = await res.text();
  if (!res.ok) {
    throw new TraceStoreError(
      `The trace store (${where}) answered ${res.status}: ${withoutHeaders(
        text.slice(0, 300).trim(),
        settings.headers,
      )}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new TraceStoreError(
      `The trace store (${where}) answered something other than JSON`,
    );
  }
}

/**
 * A store's error text with the query headers' values (and the credential
 * inside `Bearer <token>`) taken out: some proxies echo the request.
 */
function withoutHeaders(text: string, headers: Record<string, string>) {
  const secrets = Object.values(headers).flatMap(value => [
    value,
    ...value.split(/\s+/).filter(part => part.length >= 6),
  ]);
  return secrets
    .filter(secret => secret.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join('<redacted>'), text);
}

/** Unix nanoseconds (a decimal string, beyond 2^53) as an ISO time. */
export function nanosToIso(nanos: string | number): string {
  const ms = Number(BigInt(String(nanos)) / 1_000_000n);
  return new Date(ms).toISOString();
}
