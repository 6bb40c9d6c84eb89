/**
 * The one HTTP call the appliance clients make: GET, basic auth, JSON back, bounded in time.
 * Errors are ApplianceHttpError with a message an operator can act on; they never contain
 * the credentials (the URL carries none; the Authorization header is not echoed).
 */
export class ApplianceHttpError extends Error {
  constructor(
    message: string,
    /** HTTP status when the server answered; undefined for network errors, timeouts and bad JSON. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApplianceHttpError';
  }
}

export interface GetJsonOptions {
  username: string;
  password: string;
  timeoutMs: number;
  /** Aborts the request when the poller stops. */
  signal?: AbortSignal;
}

export async function getJson(url: URL, options: GetJsonOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const authorization = 'Basic ' + Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64');
  const where = `${url.protocol}//${url.host}${url.pathname}`;
  let text: string;
  let status: number;
  try {
    const response = await fetch(url, { method: 'GET', headers: { authorization, accept: 'application/json' }, signal });
    status = response.status;
    // Read the body in every case so the connection can be reused.
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) throw new ApplianceHttpError(`GET ${where} timed out after ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw new ApplianceHttpError(`GET ${where} aborted (poller stopping)`);
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new ApplianceHttpError(`GET ${where} failed: ${cause}`);
  }
  if (status === 401 || status === 403) {
    throw new ApplianceHttpError(`GET ${where}: HTTP ${status}, credentials refused (check the user name / API key)`, status);
  }
  if (status < 200 || status >= 300) throw new ApplianceHttpError(`GET ${where}: HTTP ${status}`, status);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApplianceHttpError(`GET ${where}: response is not valid JSON (${text.length} bytes)`, status);
  }
}
