/**
 * MedSignClient: the agent over WebSocket JSON-RPC 2.0 (ws://127.0.0.1:17990/v1/ws).
 *
 * - connect() tries each configured port with a timeout, then checks the API version;
 * - every agent method is a typed method of the client (from api.generated.ts);
 * - events (verificationCode, progress, sessionStatus, loginStatus, certExpiring, …) go to
 *   on() listeners;
 * - after a dropped connection it reconnects with backoff; a call that was in flight fails with
 *   CONNECTION_LOST (retryable) and is never resent by the SDK — a resent sign call would ask
 *   the doctor twice.
 */
import { API_VERSION, METHODS, type EventName, type GetVersionResult, type MedSignEvents, type MedSignMethods, type MethodName } from './api.generated.js';
import { MedSignError, sdkError, type AgentErrorData } from './errors.js';

export interface ClientOptions {
  /** ports to try, in order (default [17990]) */
  ports?: number[];
  host?: string;
  /** per port (default 1,500 ms) */
  connectTimeoutMs?: number;
  /** per call; signing waits for the doctor's phone (default 5 minutes) */
  callTimeoutMs?: number;
  /** reconnect after a drop (default true) */
  reconnect?: boolean;
  /** a WebSocket class, for Node (the `ws` package, no cast needed); browsers have their own */
  WebSocket?: new (url: string) => object;
}

type WebSocketLike = new (url: string) => WebSocket;
type Params<M extends MethodName> = Parameters<MedSignMethods[M]>[0];
type Result<M extends MethodName> = Awaited<ReturnType<MedSignMethods[M]>>;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export interface ClientEvents extends MedSignEvents {
  /** the SDK's own: the connection to the agent changed */
  connection: { state: ConnectionState; url?: string };
}

interface Waiting {
  resolve(v: unknown): void;
  reject(e: MedSignError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class MedSignClient {
  private ws: WebSocket | undefined;
  private opening: Promise<GetVersionResult> | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  private nextId = 1;
  private closedByUser = false;
  private backoffMs = 250;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  state: ConnectionState = 'idle';
  /** the agent's getVersion, once connected */
  agent: GetVersionResult | undefined;
  readonly options: Required<Omit<ClientOptions, 'WebSocket'>> & { WebSocket: WebSocketLike | undefined };

  constructor(options: ClientOptions = {}) {
    this.options = {
      ports: options.ports ?? [17990],
      host: options.host ?? '127.0.0.1',
      connectTimeoutMs: options.connectTimeoutMs ?? 1500,
      callTimeoutMs: options.callTimeoutMs ?? 5 * 60_000,
      reconnect: options.reconnect ?? true,
      WebSocket: (options.WebSocket as WebSocketLike | undefined) ?? (globalThis as { WebSocket?: WebSocketLike }).WebSocket,
    };
  }

  /** Open the connection (if not open) and check the version. Resolves with the agent's getVersion. */
  connect(): Promise<GetVersionResult> {
    if (this.state === 'open' && this.agent) return Promise.resolve(this.agent);
    this.closedByUser = false;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** Is an agent there, with a compatible version? For "请安装并启动医签助手" prompts. */
  async isAvailable(): Promise<boolean> {
    try {
      await this.connect();
      return true;
    } catch {
      return false;
    }
  }

  private setState(state: ConnectionState, url?: string): void {
    this.state = state;
    this.emit('connection', { state, ...(url ? { url } : {}) });
  }

  private async open(): Promise<GetVersionResult> {
    const Ws = this.options.WebSocket;
    if (!Ws) throw new MedSignError({ code: 'NO_WEBSOCKET', sor: 0x0b000002, retryable: false, message: '此环境没有 WebSocket (no WebSocket here: pass options.WebSocket)' });
    if (this.state !== 'reconnecting') this.setState('connecting');
    for (const port of this.options.ports) {
      const url = `ws://${this.options.host}:${port}/v1/ws`;
      const ws = await this.tryOpen(Ws, url);
      if (!ws) continue;
      this.attach(ws);
      let version: GetVersionResult;
      try {
        // the handshake has the connect timeout: something else on this port that never answers
        // must not hold the page for the length of a signing call
        version = await this.send('getVersion', {}, this.options.connectTimeoutMs);
      } catch {
        ws.onclose = null;
        this.ws = undefined;
        ws.close();
        continue;
      }
      if (version.apiVersion.split('.')[0] !== API_VERSION.split('.')[0]) {
        this.closedByUser = true; // no reconnect loop against an incompatible agent
        ws.close();
        this.setState('closed');
        throw sdkError.versionMismatch(version.apiVersion, API_VERSION);
      }
      this.agent = version;
      this.backoffMs = 250;
      this.setState('open', url);
      return version;
    }
    if (this.state !== 'reconnecting') this.setState('closed');
    throw (await this.refusedOrigin()) ? sdkError.originRefused() : sdkError.unavailable();
  }

  /**
   * A browser is told nothing when the agent refuses its Origin on the WebSocket upgrade. An
   * opaque (no-cors) request still tells "something answered" from "nothing listens".
   */
  private async refusedOrigin(): Promise<boolean> {
    const f = (globalThis as { fetch?: typeof fetch }).fetch;
    if (!f || typeof (globalThis as { document?: unknown }).document === 'undefined') return false;
    for (const port of this.options.ports) {
      try {
        await f(`http://${this.options.host}:${port}/`, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(this.options.connectTimeoutMs) });
        return true;
      } catch {
        /* nothing there */
      }
    }
    return false;
  }

  private tryOpen(Ws: WebSocketLike, url: string): Promise<WebSocket | undefined> {
    return new Promise((resolve) => {
      let ws: WebSocket;
      try {
        ws = new Ws(url);
      } catch {
        return resolve(undefined);
      }
      const timer = setTimeout(() => {
        ws.close();
        resolve(undefined);
      }, this.options.connectTimeoutMs);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(ws);
      };
      ws.onerror = () => {
        clearTimeout(timer);
        resolve(undefined);
      };
    });
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    ws.onmessage = (ev: MessageEvent) => this.receive(String(ev.data));
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer);
        w.reject(sdkError.connectionLost());
        this.waiting.delete(id);
      }
      if (this.closedByUser || !this.options.reconnect) {
        this.setState('closed');
        return;
      }
      this.setState('reconnecting');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.closedByUser) return;
      this.connect().catch(() => {
        if (this.closedByUser) return; // closed, or an incompatible agent
        this.setState('reconnecting');
        this.scheduleReconnect();
      });
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
  }

  private receive(text: string): void {
    let msg: { id?: number; result?: unknown; error?: { message: string; data?: AgentErrorData }; method?: string; params?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.id === 'number' && this.waiting.has(msg.id)) {
      const w = this.waiting.get(msg.id)!;
      this.waiting.delete(msg.id);
      clearTimeout(w.timer);
      if (msg.error) w.reject(new MedSignError(msg.error.data ?? { code: 'RPC_ERROR', sor: 0x0b000001, retryable: false, message: msg.error.message }));
      else w.resolve(msg.result);
    } else if (typeof msg.method === 'string') this.emit(msg.method, msg.params);
  }

  private send<M extends MethodName>(method: M, params: unknown, timeoutMs = this.options.callTimeoutMs): Promise<Result<M>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return Promise.reject(sdkError.connectionLost());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(sdkError.timeout());
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} }));
    });
  }

  /** Call any agent method by name (the typed methods below do this). Connects first if needed. */
  async call<M extends MethodName>(method: M, params?: Params<M>): Promise<Result<M>> {
    await this.connect();
    return this.send(method, params ?? {});
  }

  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (p: unknown) => void);
    this.listeners.set(event, set);
    return () => this.off(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void {
    this.listeners.get(event)?.delete(listener as (p: unknown) => void);
  }

  private emit(event: string, payload: unknown): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        l(payload);
      } catch {
        /* a listener's error is the page's business */
      }
    }
  }

  close(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.ws?.close();
    this.setState('closed');
  }
}

// every agent method as a typed method of the client
export interface MedSignClient extends MedSignMethods {}
for (const m of METHODS) {
  Object.defineProperty(MedSignClient.prototype, m, {
    value(this: MedSignClient, params?: unknown) {
      return this.call(m, params as never);
    },
    writable: true,
    configurable: true,
  });
}

export type { EventName };
