/**
 * Operations in progress: every login and signing call has an operationId, a status and,
 * once the cloud session is open, a verification code. WebSocket callers get events;
 * HTTP callers (and the C library) read the same state through getStatus, which may
 * long-poll. Finished operations are kept for 10 minutes, then forgotten.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { AgentError } from './errors.js';

export type OperationStatus = 'PENDING' | 'OK' | 'FAILED';

export interface Operation {
  operationId: string;
  kind: 'login' | 'sign';
  method: string;
  status: OperationStatus;
  /** who asked: a browser origin, or "native" */
  client: string;
  certId?: string;
  count: number;
  verificationCode?: string;
  qr?: string;
  createdAt: string;
  finishedAt?: string;
  result?: unknown;
  error?: ReturnType<AgentError['toJSON']>;
}

const KEEP_MS = 10 * 60_000;
const MAX_KEPT = 2000;

export class Operations extends EventEmitter {
  private readonly ops = new Map<string, Operation>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  create(kind: Operation['kind'], method: string, client: string, count: number, certId?: string): Operation {
    this.sweep();
    const op: Operation = { operationId: randomUUID(), kind, method, status: 'PENDING', client, count, createdAt: new Date().toISOString(), ...(certId ? { certId } : {}) };
    this.ops.set(op.operationId, op);
    return op;
  }

  update(op: Operation, patch: Partial<Pick<Operation, 'verificationCode' | 'qr' | 'certId'>>): void {
    Object.assign(op, patch);
    this.emit('update', op);
  }

  finish(op: Operation, result: unknown): void {
    Object.assign(op, { status: 'OK', result, finishedAt: new Date().toISOString() });
    this.emit('update', op);
    this.emit(op.operationId, op);
  }

  fail(op: Operation, error: AgentError): void {
    Object.assign(op, { status: 'FAILED', error: error.toJSON(), finishedAt: new Date().toISOString() });
    this.emit('update', op);
    this.emit(op.operationId, op);
  }

  get(id: string): Operation | undefined {
    return this.ops.get(id);
  }

  /** Wait up to `ms` for the operation to finish. */
  async wait(id: string, ms: number): Promise<Operation | undefined> {
    const op = this.ops.get(id);
    if (!op || op.status !== 'PENDING' || ms <= 0) return op;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.off(id, done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.once(id, done);
    });
    return op;
  }

  /** Resolve once the operation has something to show the user (a code, a QR) or has ended. */
  whenShown(op: Operation): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (op.verificationCode || op.qr || op.status !== 'PENDING') {
          this.off('update', check);
          resolve();
        }
      };
      this.on('update', check);
      check();
    });
  }

  pending(): Operation[] {
    return [...this.ops.values()].filter((o) => o.status === 'PENDING');
  }

  /** The latest operations, newest first, without their results (for the status page). */
  recent(n = 20): Omit<Operation, 'result' | 'qr'>[] {
    return [...this.ops.values()]
      .slice(-n)
      .reverse()
      .map(({ result: _r, qr: _q, ...rest }) => rest);
  }

  private sweep(): void {
    const cutoff = Date.now() - KEEP_MS;
    for (const [id, op] of this.ops) {
      if (op.status !== 'PENDING' && Date.parse(op.finishedAt ?? op.createdAt) < cutoff) this.ops.delete(id);
    }
    // over the cap: drop the oldest finished ones (a Map iterates in insertion order)
    let excess = this.ops.size - MAX_KEPT;
    for (const [id, op] of this.ops) {
      if (excess <= 0) break;
      if (op.status !== 'PENDING') {
        this.ops.delete(id);
        excess--;
      }
    }
  }
}
