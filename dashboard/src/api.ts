/**
 * The only way the dashboard talks to Jevons: GET/PUT on /admin/v1 with `Authorization: Bearer <admin token>`.
 * The token comes from the URL fragment (#token=…, never sent to any server) or the sign-in form, and is kept in
 * sessionStorage for this tab only. API errors become ApiError with the API's code and message, shown on the page.
 */
const TOKEN_KEY = 'jevons.adminToken';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const setToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

/** Moves #token=… from the address bar into sessionStorage and leaves the rest of the fragment (or #/). */
export function takeTokenFromFragment(): void {
  const hash = location.hash.replace(/^#/, '');
  const match = /(?:^|[&?])token=([^&]+)/.exec(hash);
  if (match === null) return;
  setToken(decodeURIComponent(match[1] ?? ''));
  const rest = hash.replace(/(?:^|[&?])token=[^&]+&?/, '').replace(/^[&?]/, '');
  history.replaceState(null, '', `${location.pathname}${location.search}#${rest.startsWith('/') ? rest : '/'}`);
}

export type Params = Record<string, string | readonly string[] | undefined | null>;

export function queryString(params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const one of typeof value === 'string' ? [value] : value) search.append(name, one);
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

function errorOf(status: number, body: unknown): ApiError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `The admin API answered HTTP ${status}.`;
  return new ApiError(status, code, message);
}

export async function api<T>(path: string, params?: Params, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/admin/v1${path}${queryString(params)}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch (cause) {
    throw new ApiError(0, 'network', `Could not reach the gateway: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw errorOf(response.status, body);
  if (typeof body !== 'object' || body === null) throw new ApiError(response.status, 'bad_response', `${path}: the admin API answered something that is not a JSON object.`);
  return body as T;
}

/** True when the endpoint does not exist on this gateway (an older version): the page shows "not available". */
export const isMissingEndpoint = (error: unknown): boolean => error instanceof ApiError && error.status === 404 && /No admin route/i.test(error.message);
