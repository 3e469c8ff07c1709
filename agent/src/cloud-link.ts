/**
 * The link to the signing cloud: a primary URL and standbys, health-checked every
 * `intervalMs` (GET /api/v1/health). After two failed checks of the active URL, the first
 * healthy one in preference order takes over, so a dead primary is left within about
 * 2–3 intervals (≤ 5 s at the default 1 s). The primary is taken back after three good checks.
 *
 * Calls in flight when a link fails end with CLOUD_UNREACHABLE (retryable) and are never
 * resent here: the caller decides, because a resent sign call would ask the doctor twice.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Errors, fromCloudCode, type AgentError } from './errors.js';

export interface LinkState {
  url: string;
  ok: boolean | undefined;
  failures: number;
  successes: number;
  lastCheck: string | undefined;
  /** cloud clock minus local clock, ms (from the health reply) */
  skewMs: number | undefined;
  error: string | undefined;
}

export interface CloudRequest {
  body?: unknown;
  /** raw bytes with this content type instead of JSON */
  binary?: { type: string; data: Uint8Array };
  /** send the agent credential */
  auth?: boolean;
  timeoutMs?: number;
  /** the reply is bytes, not JSON */
  raw?: boolean;
}

/** A cloud error reply as an agent error: the codes a user must understand, else the cloud's own. */
const mapCloudError = (status: number, body: { code?: string; message?: string }): AgentError =>
  fromCloudCode(body.code) ?? Errors.cloudError(body.code ?? `HTTP_${status}`, body.message ?? `HTTP ${status}`, status);

export class CloudLink extends EventEmitter {
  readonly links: LinkState[];
  private activeIndex = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  credential: string | undefined;

  constructor(
    urls: readonly string[],
    private readonly options: { intervalMs: number; log: Logger },
  ) {
    super();
    this.links = urls.map((url) => ({ url, ok: undefined, failures: 0, successes: 0, lastCheck: undefined, skewMs: undefined, error: undefined }));
  }

  get active(): LinkState {
    return this.links[this.activeIndex]!;
  }

  /** Some cloud answered its last health check. */
  get online(): boolean {
    return this.links.some((l) => l.ok === true);
  }

  async start(): Promise<void> {
    await this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  checkAll(): Promise<void> {
    this.checking ??= this.runChecks().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async runChecks(): Promise<void> {
    const wasOnline = this.online;
    const timeoutMs = Math.min(Math.max(this.options.intervalMs, 500), 2000);
    await Promise.all(
      this.links.map(async (l) => {
        const sent = Date.now();
        try {
          const r = await fetch(`${l.url}/api/v1/health`, { signal: AbortSignal.timeout(timeoutMs) });
          if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
          const j = (await r.json()) as { time?: string };
          const mid = (sent + Date.now()) / 2;
          l.skewMs = j.time ? Math.round(Date.parse(j.time) - mid) : undefined;
          l.ok = true;
          l.failures = 0;
          l.successes++;
          l.error = undefined;
        } catch (err) {
          l.ok = false;
          l.failures++;
          l.successes = 0;
          l.error = err instanceof Error ? err.message : String(err);
        }
        l.lastCheck = new Date().toISOString();
      }),
    );
    this.choose();
    if (!wasOnline && this.online) this.emit('online');
    if (wasOnline && !this.online) this.emit('offline');
  }

  private choose(): void {
    const current = this.activeIndex;
    const preferred = this.links.findIndex((l) => l.ok === true && (l === this.links[0] ? l.successes >= 3 || this.active.ok !== true : true));
    if (this.active.ok !== true && this.active.failures >= 2 && preferred >= 0) this.activeIndex = preferred;
    else if (current !== 0 && this.links[0]!.ok && this.links[0]!.successes >= 3) this.activeIndex = 0;
    if (this.activeIndex !== current) {
      this.options.log.warn({ from: this.links[current]!.url, to: this.active.url }, 'cloud failover');
      this.emit('failover', this.active.url);
    }
  }

  /** One call to the active cloud. Network failures count against its health at once. */
  async request<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, req: CloudRequest = {}): Promise<T> {
    const link = this.active;
    const headers: Record<string, string> = {};
    if (req.auth) {
      if (!this.credential) throw Errors.notRegistered();
      headers.authorization = `Bearer ${this.credential}`;
    }
    let body: BodyInit | undefined;
    if (req.binary) {
      headers['content-type'] = req.binary.type;
      body = Buffer.from(req.binary.data);
    } else if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    let r: Response;
    try {
      r = await fetch(`${link.url}${path}`, { method, headers, ...(body ? { body } : {}), signal: AbortSignal.timeout(req.timeoutMs ?? 10_000) });
    } catch {
      link.failures++;
      if (link.failures >= 2) link.ok = false;
      this.choose();
      throw Errors.cloudUnreachable();
    }
    if (req.raw && r.ok) return new Uint8Array(await r.arrayBuffer()) as T;
    let json: Record<string, unknown>;
    try {
      json = (await r.json()) as Record<string, unknown>;
    } catch {
      throw Errors.cloudError(`HTTP_${r.status}`, `云端返回了无法识别的应答 (unreadable cloud reply, HTTP ${r.status})`, r.status);
    }
    if (!r.ok) throw mapCloudError(r.status, json as { code?: string; message?: string });
    return json as T;
  }
}
