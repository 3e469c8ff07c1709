/**
 * The checks every request passes before any method runs (see shared/REFERENCE.md,
 * "Localhost agent security"):
 *  - Host must name loopback with our port (127.0.0.1, localhost, [::1]): DNS rebinding
 *    turns an attacker's name into 127.0.0.1, but the Host header still carries that name;
 *  - Origin, when present, must be on the allow-list: WebSockets ignore CORS, so this is
 *    the only thing between any web page and the doctor's signing key. No Origin means a
 *    native client (C library, Java, .NET), which is allowed;
 *  - a per-client request budget per minute.
 */
import { Errors, type AgentError } from '../errors.js';

export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export class OriginPolicy {
  private readonly allowed: Set<string>;
  constructor(origins: readonly string[]) {
    this.allowed = new Set(origins.map((o) => o.toLowerCase()));
  }
  /** undefined when allowed; the error otherwise. */
  check(origin: string | undefined): AgentError | undefined {
    if (origin === undefined) return undefined;
    return this.allowed.has(origin.toLowerCase()) ? undefined : Errors.originRejected();
  }
  isAllowed(origin: string | undefined): origin is string {
    return origin !== undefined && this.allowed.has(origin.toLowerCase());
  }
}

/** A fixed one-minute window per client (origin, or "native"). */
export class RateLimiter {
  private window = 0;
  private readonly counts = new Map<string, number>();
  constructor(private readonly perMinute: number) {}
  take(client: string, now = Date.now()): boolean {
    const w = Math.floor(now / 60_000);
    if (w !== this.window) {
      this.window = w;
      this.counts.clear();
    }
    const n = (this.counts.get(client) ?? 0) + 1;
    this.counts.set(client, n);
    return n <= this.perMinute;
  }
}
