/**
 * System settings (系统设置): values an administrator changes through the API, stored one JSON
 * value per key. Defaults come from the configuration; a stored value wins. Services read them
 * through `current()` at the moment they need them, so a change applies to the next request.
 */
import { z } from 'zod';
import { Errors } from './errors.js';
import type { Store } from '../store/repositories.js';

const HttpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'http(s) URL');

/** Every setting with its bounds. PUT takes any subset of these keys; null clears an optional one. */
export const SettingsSchema = z
  .object({
    /** shown on the console and in reports */
    hospitalName: z.string().trim().min(1).max(128),
    /** overrides of the public URLs relying parties use; null: publicUrl + /pki/… */
    crlUrl: HttpUrl.nullable(),
    ocspUrl: HttpUrl.nullable(),
    tsaUrl: HttpUrl.nullable(),
    /** a sign or login session ends as TIMEOUT after this (the config's sessionTimeoutSeconds) */
    sessionTimeoutSeconds: z.number().int().min(5).max(3600),
    /** the longest time-window authorisation (授权免密) a phone may grant; 0 turns windows off */
    maxApprovalWindowMinutes: z.number().int().min(0).max(24 * 60),
    /** online renewal opens this many days before a certificate ends; null: the last third of its lifetime */
    renewalLeadDays: z.number().int().min(1).max(3 * 366).nullable(),
    /** days before expiry on which reminders go out, e.g. [30, 7, 1] */
    reminderDays: z
      .array(z.number().int().min(1).max(366))
      .min(1)
      .max(10)
      .refine((d) => new Set(d).size === d.length, 'no repeated days')
      .transform((d) => [...d].sort((a, b) => b - a)),
    /** the hour of the day (hospital local time, 0–23) at which reminders go out */
    reminderHourLocal: z.number().int().min(0).max(23),
    /**
     * online renewal: revoke the old certificate (reason superseded) when the new one is issued;
     * false (the default): the old one stays valid until its own end, for verifying what it
     * signed — its key is retired either way, so only the new key signs
     */
    revokeOnRenewal: z.boolean(),
  })
  .strict();

export type Settings = z.output<typeof SettingsSchema>;
export const SettingsUpdateSchema = SettingsSchema.partial().strict();
export type SettingsUpdate = z.input<typeof SettingsUpdateSchema>;

/** Which settings a running cloud applies at once, and which only after a restart. */
export const SETTING_EFFECT: Record<keyof Settings, 'immediate' | 'restart'> = {
  hospitalName: 'immediate',
  crlUrl: 'immediate',
  ocspUrl: 'immediate',
  tsaUrl: 'immediate',
  sessionTimeoutSeconds: 'immediate',
  maxApprovalWindowMinutes: 'immediate',
  renewalLeadDays: 'immediate',
  reminderDays: 'immediate',
  reminderHourLocal: 'immediate',
  revokeOnRenewal: 'immediate',
};

export class SettingsService {
  private cache: Settings | undefined;

  constructor(
    private readonly store: Store,
    private readonly defaults: Settings,
  ) {}

  /** The effective settings: defaults overlaid with the stored values. */
  current(): Settings {
    if (!this.cache) {
      const stored = this.store.settings.all();
      const merged: Record<string, unknown> = { ...this.defaults };
      // a stored value that no longer validates (e.g. bounds tightened in a later version) falls back to the default
      for (const [k, v] of Object.entries(stored)) {
        const field = SettingsSchema.shape[k as keyof Settings];
        if (field && field.safeParse(v).success) merged[k] = v;
      }
      this.cache = SettingsSchema.parse(merged);
    }
    return this.cache;
  }

  /** Validate and store the keys given; answers the new effective settings. */
  update(change: unknown, by: string, now = Date.now()): Settings {
    const parsed = SettingsUpdateSchema.safeParse(change);
    if (!parsed.success) throw Errors.badRequest({ en: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.code}`).join('; '), zh: '设置值无效' });
    const entries = Object.entries(parsed.data).filter(([, v]) => v !== undefined);
    if (entries.length === 0) throw Errors.badRequest({ en: 'no setting given', zh: '未提供任何设置项' });
    this.store.transaction(() => {
      for (const [k, v] of entries) this.store.settings.put(k, v, by, now);
    });
    this.cache = undefined;
    return this.current();
  }

  /** The public URLs relying parties should use, after overrides (for templates and the console). */
  publicUrls(publicUrl: string): { crl: string; ocsp: string; tsa: string } {
    const s = this.current();
    return { crl: s.crlUrl ?? `${publicUrl}/pki/crl`, ocsp: s.ocspUrl ?? `${publicUrl}/pki/ocsp`, tsa: s.tsaUrl ?? `${publicUrl}/pki/tsa` };
  }
}

/** The defaults: the configuration's values for the settings it already had. */
export function settingsDefaults(config: {
  organization: string;
  hospitalName?: string | undefined;
  sessionTimeoutSeconds: number;
  maxApprovalWindowMinutes: number;
  renewalDays?: number | undefined;
  reminderDays: number[];
  reminderHourLocal: number;
}): Settings {
  return SettingsSchema.parse({
    hospitalName: config.hospitalName ?? config.organization,
    crlUrl: null,
    ocspUrl: null,
    tsaUrl: null,
    sessionTimeoutSeconds: config.sessionTimeoutSeconds,
    maxApprovalWindowMinutes: config.maxApprovalWindowMinutes,
    renewalLeadDays: config.renewalDays ?? null,
    reminderDays: config.reminderDays,
    reminderHourLocal: config.reminderHourLocal,
    revokeOnRenewal: false,
  });
}
