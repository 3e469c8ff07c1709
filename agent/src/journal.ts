/**
 * The deferred-signing journal (补签): sign calls made while no cloud is reachable are
 * appended here, one sealed line each, and fsync'd before the caller gets its ticket, so
 * they survive an agent restart or kill -9. Results are appended the same way. A torn last
 * line (a crash mid-write) is skipped. On start the file is compacted to the open items and
 * the results of the last 7 days.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { CmsProfile, SignatureAlgorithm } from '@medsign/core';
import { open, seal, writeFileAtomic, type Key } from './sealed-store.js';

export interface DeferredItem {
  ticket: string;
  certId: string;
  method: 'signData' | 'signHash' | 'signMessage';
  alg: SignatureAlgorithm;
  app: string;
  summary: string;
  createdAt: string;
  /** signData/signHash: the digest to sign, hex */
  digest?: string;
  /** signMessage: built when the cloud is back (the signing time is the real one) */
  message?: { content: string; detached: boolean; profile: CmsProfile; timestamp: boolean; compact?: boolean };
}

export interface DeferredOutcome {
  ticket: string;
  status: 'OK' | 'FAILED';
  result?: Record<string, unknown>;
  error?: { code: string; sor: number; message: string; retryable: boolean };
  finishedAt: string;
}

type Line = { t: 'add'; item: DeferredItem } | { t: 'done'; outcome: DeferredOutcome };

const PURPOSE = 'medsign-agent-journal';
const KEEP_RESULTS_MS = 7 * 24 * 3600_000;

export class Journal {
  private readonly file: string;
  private readonly items = new Map<string, DeferredItem>();
  private readonly outcomes = new Map<string, DeferredOutcome>();

  constructor(
    dataDir: string,
    private readonly key: Key,
    private readonly onProblem: (message: string) => void = () => undefined,
  ) {
    this.file = join(dataDir, 'deferred.journal');
    this.load();
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    const raw = readFileSync(this.file, 'utf8');
    // every line is written with its newline, so only an unterminated last piece is a torn write
    const torn = raw.length > 0 && !raw.endsWith('\n');
    const texts = raw.split('\n');
    let unreadable = 0;
    texts.forEach((text, i) => {
      if (!text.trim()) return;
      let line: Line;
      try {
        line = JSON.parse(open(this.key, text.trim(), PURPOSE)) as Line;
      } catch {
        if (!(torn && i === texts.length - 1)) unreadable++;
        return;
      }
      if (line.t === 'add') this.items.set(line.item.ticket, line.item);
      else {
        this.items.delete(line.outcome.ticket);
        this.outcomes.set(line.outcome.ticket, line.outcome);
      }
    });
    if (unreadable) {
      // a wrong key or a damaged file: keep it for an administrator rather than compact it away
      const kept = `${this.file}.unreadable-${Date.now()}`;
      renameSync(this.file, kept);
      this.onProblem(`${unreadable} 条补签记录无法解密，原文件已保留为 ${kept} (${unreadable} journal lines cannot be opened: wrong agent.key or a damaged file; kept as ${kept})`);
    }
    const cutoff = Date.now() - KEEP_RESULTS_MS;
    for (const [t, o] of this.outcomes) if (Date.parse(o.finishedAt) < cutoff) this.outcomes.delete(t);
    const lines: Line[] = [...[...this.items.values()].map((item) => ({ t: 'add' as const, item })), ...[...this.outcomes.values()].map((outcome) => ({ t: 'done' as const, outcome }))];
    writeFileAtomic(this.file, lines.map((l) => seal(this.key, JSON.stringify(l), PURPOSE) + '\n').join(''));
  }

  /** Append one sealed line and fsync it (through a writable handle: Windows refuses fsync on a read-only one). */
  private append(line: Line): void {
    const fd = openSync(this.file, 'a', 0o600);
    try {
      writeSync(fd, seal(this.key, JSON.stringify(line), PURPOSE) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  add(item: Omit<DeferredItem, 'ticket' | 'createdAt'>): DeferredItem {
    const full: DeferredItem = { ...item, ticket: randomUUID(), createdAt: new Date().toISOString() };
    this.append({ t: 'add', item: full });
    this.items.set(full.ticket, full);
    return full;
  }

  complete(outcome: Omit<DeferredOutcome, 'finishedAt'>): DeferredOutcome {
    const full = { ...outcome, finishedAt: new Date().toISOString() };
    this.append({ t: 'done', outcome: full });
    this.items.delete(full.ticket);
    this.outcomes.set(full.ticket, full);
    return full;
  }

  pending(): DeferredItem[] {
    return [...this.items.values()];
  }

  lookup(ticket: string): { status: 'PENDING'; item: DeferredItem } | { status: 'OK' | 'FAILED'; outcome: DeferredOutcome } | undefined {
    const item = this.items.get(ticket);
    if (item) return { status: 'PENDING', item };
    const outcome = this.outcomes.get(ticket);
    return outcome ? { status: outcome.status, outcome } : undefined;
  }
}
