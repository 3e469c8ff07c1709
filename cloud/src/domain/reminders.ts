/**
 * Expiry reminders (到期提醒): a job that runs at start and then daily at a set hour (hospital
 * time), or every N seconds (tests). It finds good certificates whose notAfter falls within one
 * of the thresholds (default 30, 7 and 1 days; the `reminderDays` setting when there is one) and
 * records one notification per certificate and threshold. The notification table's unique key
 * (kind, serial, threshold) makes runs idempotent across restarts. A certificate first seen
 * inside several thresholds (5 days left: 30 and 7) gets only the tightest one.
 *
 * The console reads them at GET /api/v1/admin/notifications, the phone at
 * GET /api/v1/mobile/notifications (device-signed); each marks its own copy read.
 */
import { randomBytes } from 'node:crypto';
import { DAY_MS, type Scope } from './reports.js';

export interface NotificationRecord {
  id: string;
  kind: 'cert_expiry';
  serial: string;
  staffId: string | null;
  thresholdDays: number;
  notAfter: number;
  createdAt: number;
  consoleReadAt: number | null;
  phoneReadAt: number | null;
}

export interface NotificationView extends NotificationRecord {
  employeeNo: string | null;
  name: string | null;
  department: string | null;
}

export interface NotificationRepository {
  /** good staff certificates with now < notAfter ≤ horizon, with the smallest threshold already notified */
  due(now: number, horizon: number): { serial: string; staffId: string; notAfter: number; notified: number | null }[];
  /** false when this (kind, serial, threshold) exists already */
  insert(record: NotificationRecord): boolean;
  forConsole(opts: { unread: boolean; scope: Scope; limit: number }): NotificationView[];
  forStaff(staffId: string, opts: { unread: boolean; limit: number }): NotificationView[];
  markConsoleRead(ids: string[], at: number, scope: Scope): number;
  markPhoneRead(staffId: string, ids: string[], at: number): number;
}

export const DEFAULT_REMINDER_DAYS = [30, 7, 1] as const;

export interface ReminderOptions {
  /** thresholds in days, read at each run (settings may change them) */
  thresholds: () => readonly number[];
  /** the local hour (0–23) of the daily run, read at each scheduling */
  hour: () => number;
  utcOffsetMinutes: number;
  /** tests: run every N seconds instead of daily */
  intervalSeconds?: number;
  onError?: (err: unknown) => void;
  onCreated?: (n: NotificationRecord) => void;
}

/** 证书将于 N 天内到期 — the text both the console and the phone show. */
export function reminderText(n: Pick<NotificationRecord, 'thresholdDays' | 'notAfter' | 'serial'>, utcOffsetMinutes: number): { title: string; message: string } {
  const day = new Date(n.notAfter + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
  return {
    title: `证书将于 ${n.thresholdDays} 天内到期 (certificate expires within ${n.thresholdDays} day${n.thresholdDays === 1 ? '' : 's'})`,
    message: `证书 ${n.serial} 将于 ${day} 到期，请在手机上在线更新或联系管理员 (certificate ${n.serial} expires on ${day}: renew it on the phone or ask an administrator)`,
  };
}

/** A v4 UUID from crypto.randomBytes (the project's only source of randomness). */
function uuid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class ReminderService {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly repo: NotificationRepository,
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly options: ReminderOptions,
  ) {}

  /** One pass: the notifications it created (none on a second run the same day). */
  run(now = Date.now()): NotificationRecord[] {
    const thresholds = [...new Set(this.options.thresholds())].filter((d) => Number.isInteger(d) && d > 0).sort((a, b) => a - b);
    if (thresholds.length === 0) return [];
    const created: NotificationRecord[] = [];
    this.transaction(() => {
      for (const c of this.repo.due(now, now + thresholds[thresholds.length - 1]! * DAY_MS)) {
        // the tightest threshold the certificate is inside of
        const t = thresholds.find((d) => c.notAfter <= now + d * DAY_MS)!;
        if (c.notified !== null && c.notified <= t) continue; // this one or a tighter one went out already
        const record: NotificationRecord = { id: uuid(), kind: 'cert_expiry', serial: c.serial, staffId: c.staffId, thresholdDays: t, notAfter: c.notAfter, createdAt: now, consoleReadAt: null, phoneReadAt: null };
        if (this.repo.insert(record)) created.push(record);
      }
    });
    for (const n of created) this.options.onCreated?.(n);
    return created;
  }

  /** When the next daily run is due: the next local `hour`:00 after `now`. */
  nextRun(now = Date.now()): number {
    const offset = this.options.utcOffsetMinutes * 60_000;
    const local = new Date(now + offset);
    const today = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), this.options.hour()) - offset;
    return today > now ? today : today + DAY_MS;
  }

  /** Run now, then on the schedule, until close(). */
  start(): void {
    this.safeRun();
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private safeRun(): void {
    try {
      this.run();
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    const wait = this.options.intervalSeconds ? this.options.intervalSeconds * 1000 : Math.max(1000, this.nextRun() - Date.now());
    // setTimeout holds at most ~24.8 days; a day is far below that
    this.timer = setTimeout(() => {
      this.safeRun();
      this.schedule();
    }, wait);
    this.timer.unref();
  }
}
