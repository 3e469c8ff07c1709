/**
 * The console's only way to the cloud: same-origin fetch with the bearer token from
 * sessionStorage (never localStorage, never a URL). Errors keep the server's code and its
 * Chinese (English) message; a 401 ends the session and the app returns to the login page.
 */
const TOKEN_KEY = 'medsign.admin.token';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A 401 on any call but the login itself: the session is over, the app is back on the login page. */
export class SessionEnded extends ApiError {}

let onUnauthorized: (e: SessionEnded) => void = () => undefined;
export const setUnauthorizedHandler = (fn: (e: SessionEnded) => void) => void (onUnauthorized = fn);

export type Query = Record<string, string | number | undefined | null>;

/** `path` with the non-empty values of `q` as its query string. */
export function withQuery(path: string, q: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  if (!path.startsWith('/api/')) throw new Error('same-origin API paths only');
  const headers: Record<string, string> = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'omit', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'NETWORK', '无法连接云端服务 (cannot reach the cloud service)：请检查网络后重试 (check the network and retry)');
  }
  if (res.ok) return res;
  let code = `HTTP_${res.status}`;
  let message = `请求失败 (request failed): HTTP ${res.status}`;
  try {
    const j = (await res.json()) as { code?: unknown; message?: unknown };
    if (typeof j.code === 'string') code = j.code;
    if (typeof j.message === 'string') message = j.message;
  } catch {
    /* not JSON: keep the generic message */
  }
  if (res.status === 401 && path !== '/api/v1/admin/login') {
    const e = new SessionEnded(res.status, code, message);
    token.clear();
    onUnauthorized(e);
    throw e;
  }
  throw new ApiError(res.status, code, message);
}

export const api = {
  get: async <T>(path: string, q?: Query): Promise<T> => (await send('GET', withQuery(path, q))).json() as Promise<T>,
  post: async <T>(path: string, body?: unknown): Promise<T> => (await send('POST', path, body)).json() as Promise<T>,
  put: async <T>(path: string, body: unknown): Promise<T> => (await send('PUT', path, body)).json() as Promise<T>,
  del: async <T>(path: string): Promise<T> => (await send('DELETE', path)).json() as Promise<T>,
  /** a file (export, PDF): fetched with the token, then saved through a blob: link */
  async download(path: string, q: Query, fallbackName: string): Promise<{ name: string; size: number }> {
    const res = await send('GET', withQuery(path, q));
    const blob = await res.blob();
    const cd = res.headers.get('content-disposition') ?? '';
    const m = /filename\*=UTF-8''([^;]+)/i.exec(cd) ?? /filename="?([^";]+)"?/i.exec(cd);
    const name = m ? decodeURIComponent(m[1]!) : fallbackName;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return { name, size: blob.size };
  },
};
