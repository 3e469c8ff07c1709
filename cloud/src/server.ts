/** Wire the cloud together: data directory, KEK, store, services, HTTP server. */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import type { CloudConfig } from './config.js';
import { AdminService } from './domain/admins.js';
import { PkiService } from './domain/pki.js';
import { DeviceAuthService } from './domain/devices.js';
import { EnrollmentService } from './domain/enrollment.js';
import { SessionService } from './domain/sessions.js';
import { TemplateService } from './domain/templates.js';
import { AuditService, auditOptionsFromEnv } from './domain/audit.js';
import { SettingsService, settingsDefaults } from './domain/settings.js';
import { ReportService } from './domain/reports.js';
import { ReminderService } from './domain/reminders.js';
import type { Services } from './http/routes.js';
import { aesGcmSealer, loadKek } from './domain/secrets.js';
import { WorkflowService } from './domain/workflows.js';
import { EmergencyService } from './domain/emergency.js';
import { buildApp } from './http/app.js';
import { attachEvents } from './http/events.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/repositories.js';

export interface RunningCloud {
  url: string;
  config: CloudConfig;
  store: Store;
  pki: PkiService;
  admins: AdminService;
  services: Services;
  /** set on the first start when the administrator password was generated here */
  generatedAdminPassword?: string;
  close(): Promise<void>;
}

export async function startCloud(config: CloudConfig, env: NodeJS.ProcessEnv = process.env): Promise<RunningCloud> {
  const log = pino({ level: config.logLevel, base: { svc: 'medsign-cloud' } });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const sealer = aesGcmSealer(loadKek(join(config.dataDir, 'kek.key'), env.MEDSIGN_KEK));
  const store = openSqliteStore(join(config.dataDir, 'medsign.db'));
  let server: Server | undefined;
  try {
    // listen first, so that port 0 (tests) gives the real URL for the certificates' CRL/AIA links
    // system settings (issue 7): read where they are used, so a change applies to the next request
    const settings = new SettingsService(store, settingsDefaults(config));
    const admins = new AdminService(store, sealer, { lockoutThreshold: config.adminLockoutThreshold, lockoutMinutes: config.adminLockoutMinutes, totpIssuer: () => settings.current().hospitalName });
    const policy = { get maxApprovalWindowMinutes() { return settings.current().maxApprovalWindowMinutes; }, get renewalDays() { return settings.current().renewalLeadDays; } };
    const services = { admins, settings, devices: new DeviceAuthService(store), policy } as Services;
    // issue 7: queries, exports, the monthly report and the expiry reminders (started after bootstrap)
    services.reporting = {
      reports: new ReportService(store.reports, { utcOffsetMinutes: config.utcOffsetMinutes }),
      reminders: new ReminderService(store.notifications, (fn) => store.transaction(fn), {
        thresholds: () => settings.current().reminderDays,
        hour: () => settings.current().reminderHourLocal,
        utcOffsetMinutes: config.utcOffsetMinutes,
        ...(config.reminderIntervalSeconds ? { intervalSeconds: config.reminderIntervalSeconds } : {}),
        onError: (err) => log.warn({ err: String(err) }, 'expiry reminder run failed'),
        onCreated: (n) => log.info({ serial: n.serial, thresholdDays: n.thresholdDays }, 'certificate expiry reminder'),
      }),
      notifications: store.notifications,
      hospitalName: () => settings.current().hospitalName,
      staffOfDevice: (id) => store.devices.get(id)!.staffId,
    };
    const app = buildApp(services, log, config.corsOrigins, config.h5Dir);
    server = createServer(app);
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    // idle keep-alive sockets are closed by the client first (undici: 4 s), never under a request
    // the client is just sending: with the 5 s default a busy host lost POSTs to ECONNRESET
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host}:${port}`;
    const publicUrl = config.port === 0 ? url : config.publicUrl;
    const pki = new PkiService(store, sealer, {
      publicUrl,
      crlHours: config.crlHours,
      ocspHours: config.ocspHours,
      tsaPolicy: config.tsaPolicy,
      organization: config.organization,
      urls: () => settings.publicUrls(publicUrl), // issue 7: the CRL/OCSP URL settings
    });
    services.pki = pki;
    // issue 7: certificate templates; the built-ins take the configured validity at first start
    services.templates = new TemplateService(store, { organization: config.organization });
    services.templates.bootstrap(config.certificateDays);
    services.sessions = new SessionService(store, sealer, { get sessionTimeoutSeconds() { return settings.current().sessionTimeoutSeconds; }, userSessionHours: config.userSessionHours });
    services.enrollment = new EnrollmentService(store, sealer, pki, { codeTtlMinutes: config.activationCodeMinutes, validityDays: config.certificateDays, get renewalDays() { return settings.current().renewalLeadDays ?? undefined; } });
    // issue 7: the hash-chained audit log, its checkpoints stamped by the cloud's own TSA
    services.audit = new AuditService(store, { ...auditOptionsFromEnv(env), timestamp: (req) => pki.timestamp(req), trustedTsa: () => store.cas.list().filter((c) => c.role === 'tsa').map((c) => c.certificate), onError: (err) => log.warn({ err: String(err) }, 'audit checkpoint failed') });
    admins.audit = services.sessions.audit = services.enrollment.audit = services.audit;
    // every revocation, hold and release reaches the co-signing sessions in its own transaction
    pki.onStatusChange((serial, action) => services.sessions.onCertificateStatus(serial, action));
    // issue 7: approval workflows for the lifecycle operations (requests, steps, events)
    // issue 7: emergency certificates — grants made by the emergency workflow, used by one workstation agent
    services.emergency = new EmergencyService({ store, sealer, pki, audit: services.audit });
    services.workflows = new WorkflowService({ store, audit: services.audit, pki, enrollment: services.enrollment, sessions: services.sessions, emergency: services.emergency });
    const detachEvents = attachEvents(server, services);
    const created = await pki.bootstrap();
    const admin = admins.bootstrap(env.MEDSIGN_ADMIN_PASSWORD);
    services.reporting.reminders.start();
    log.info({ url, dataDir: config.dataDir, bootstrapped: created }, 'medsign-cloud listening');
    const s = server;
    return {
      url,
      config,
      store,
      pki,
      admins,
      services,
      ...(admin?.generatedPassword ? { generatedAdminPassword: admin.generatedPassword } : {}),
      close: () =>
        services.audit.close().then(() => new Promise<void>((resolve) => { // stamps the audit head first (issue 7)
          detachEvents();
          services.sessions?.close();
          services.emergency?.close();
          services.reporting.reminders.close();
          s.closeAllConnections();
          s.close(() => {
            store.close();
            resolve();
          });
        })),
    };
  } catch (err) {
    server?.close();
    store.close();
    throw err;
  }
}
