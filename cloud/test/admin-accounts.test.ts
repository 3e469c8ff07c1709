/**
 * Administrator and system management (issue 7): roles on the new and on existing endpoints,
 * account life cycle, lockout, TOTP (RFC 6238 vectors, enrol/confirm/login/replay), and the
 * system settings (validation, and that the running services use a changed value).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseSelfApproval } from '../src/domain/admins.js';
import { base32Decode, base32Encode, hotp, timeStep, totpAt } from '../src/domain/totp.js';
import { ADMIN_PASSWORD, adminToken, startTestCloud } from './cloud-fixture.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
let cloud: Cloud;
let root: string; // the bootstrap sysadmin's token

interface Answer {
  status: number;
  json: Record<string, unknown> & { code?: string; message?: string };
  text: string;
}

async function api(method: string, path: string, token: string | null, body?: unknown, raw?: { body: string; type: string }): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (raw) {
    headers['content-type'] = raw.type;
    payload = raw.body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(`${cloud.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await r.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, json, text };
}

const login = (username: string, password: string, totp?: string) => api('POST', '/api/v1/admin/login', null, { username, password, ...(totp ? { totp } : {}) });

const INITIAL = 'initial-password-123';
const passwordOf = (username: string) => `own-password-of-${username}`;

/** A new account as a sysadmin creates it, signed in and with its own password set. */
async function newAdmin(username: string, role: string, departments?: string[]): Promise<string> {
  const c = await api('POST', '/api/v1/admin/accounts', root, { username, role, password: INITIAL, ...(departments ? { departments } : {}) });
  expect(c.status, c.text).toBe(200);
  const l = await login(username, INITIAL);
  expect(l.json.mustChangePassword).toBe(true);
  const token = l.json.token as string;
  const ch = await api('POST', '/api/v1/admin/me/password', token, { oldPassword: INITIAL, newPassword: passwordOf(username) });
  expect(ch.status, ch.text).toBe(200);
  return token;
}

function expectCode(a: Answer, status: number, code: string) {
  expect(a.status, a.text).toBe(status);
  expect(a.json.code).toBe(code);
  expect(a.json.message).toMatch(/[\u4e00-\u9fff].*\(.+\)/);
}

beforeAll(async () => {
  cloud = await startTestCloud();
  root = await adminToken(cloud.url);
});
afterAll(async () => cloud.dispose());

describe('TOTP building blocks', () => {
  // RFC 6238 Appendix B, the SHA-1 rows: the seed is the ASCII string "12345678901234567890", 8 digits
  const seed = new TextEncoder().encode('12345678901234567890');
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('RFC 6238 vector at T=%i', (seconds, code) => {
    expect(totpAt(seed, seconds * 1000, 8)).toBe(code);
  });

  it('RFC 4226 Appendix D HOTP values and RFC 4648 §10 base32 vectors', () => {
    expect([0, 1, 2, 9].map((c) => hotp(seed, c))).toEqual(['755224', '287082', '359152', '520489']);
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, b32] of vectors) {
      expect(base32Encode(new TextEncoder().encode(plain))).toBe(b32);
      expect(new TextDecoder().decode(base32Decode(`${b32}======`.slice(0, Math.ceil(b32.length / 8) * 8 || 0)))).toBe(plain);
    }
    expect(() => base32Decode('MZ1W')).toThrow();
  });

  it('a workflow can refuse self-approval with the administrator on the request', () => {
    expect(() => refuseSelfApproval({ username: 'alice' }, 'alice')).toThrow(expect.objectContaining({ code: 'SELF_APPROVAL', status: 403 }));
    expect(() => refuseSelfApproval({ username: 'alice' }, 'bob')).not.toThrow();
  });
});

describe('roles', () => {
  let ra: string;
  let dept: string;
  let auditor: string;
  beforeAll(async () => {
    ra = await newAdmin('ra-1', 'ra_officer');
    dept = await newAdmin('dept-1', 'dept_approver', ['心内科', '心内科', '急诊科']);
    auditor = await newAdmin('audit-1', 'auditor');
  });

  it('each role is allowed and refused what the roles table says, with 403 FORBIDDEN', async () => {
    const staff = (no: string) => ({ employeeNo: no, name: '张三', department: '心内科' });
    const tsaSerial = cloud.pki.caCertificate('rsa-tsa').serialNumber; // not a staff certificate: 404 when allowed
    const cases: [string, string, string | null, unknown, Record<string, number>][] = [
      ['GET', '/api/v1/admin/me', null, undefined, { root: 200, ra: 200, dept: 200, auditor: 200 }],
      ['GET', '/api/v1/admin/settings', null, undefined, { root: 200, ra: 200, dept: 200, auditor: 200 }],
      ['PUT', '/api/v1/admin/settings', null, { hospitalName: '示例医院' }, { root: 200, ra: 403, dept: 403, auditor: 403 }],
      ['GET', '/api/v1/admin/accounts', null, undefined, { root: 200, ra: 403, dept: 403, auditor: 403 }],
      ['GET', '/api/v1/admin/accounts/ra-1', null, undefined, { root: 200, ra: 403, dept: 403, auditor: 403 }],
      ['POST', '/api/v1/admin/accounts', null, { username: 'x-new', role: 'auditor', password: INITIAL }, { ra: 403, dept: 403, auditor: 403 }],
      ['POST', '/api/v1/admin/accounts/audit-1/unlock', null, undefined, { root: 200, ra: 403, dept: 403, auditor: 403 }],
      ['POST', '/api/v1/admin/accounts/audit-1/role', null, { role: 'auditor' }, { root: 200, ra: 403, dept: 403, auditor: 403 }],
      ['DELETE', '/api/v1/admin/accounts/nobody-here', null, undefined, { root: 404, ra: 403, dept: 403, auditor: 403 }],
      // existing endpoints under the same roles
      ['POST', '/api/v1/admin/staff', 'R-', null, { root: 200, ra: 200, dept: 403, auditor: 403 }],
      ['POST', `/api/v1/admin/certificates/${tsaSerial}/revoke`, null, { reason: 1 }, { root: 404, ra: 404, dept: 403, auditor: 403 }],
      ['GET', `/api/v1/admin/certificates/${tsaSerial}`, null, undefined, { root: 404, ra: 404, dept: 404, auditor: 404 }],
      ['POST', '/api/v1/admin/agent-tokens', null, {}, { root: 200, ra: 200, dept: 403, auditor: 403 }],
    ];
    const tokens = { root, ra, dept, auditor };
    let n = 0;
    for (const [method, path, staffPrefix, body, expected] of cases) {
      for (const [who, status] of Object.entries(expected)) {
        const b = staffPrefix ? staff(`${staffPrefix}${n++}`) : body;
        const a = await api(method, path, tokens[who as keyof typeof tokens], b);
        expect(a.status, `${who} ${method} ${path}: ${a.text}`).toBe(status);
        if (status === 403) expectCode(a, 403, 'FORBIDDEN');
      }
    }
  });

  it('every role may log out (its token ends)', async () => {
    for (const [username, role] of [['out-1', 'auditor'], ['out-2', 'dept_approver']] as const) {
      const t = await newAdmin(username, role, role === 'dept_approver' ? ['外科'] : undefined);
      expect((await api('POST', '/api/v1/admin/logout', t)).status).toBe(200);
      expectCode(await api('GET', '/api/v1/admin/me', t), 401, 'UNAUTHORIZED');
    }
  });

  it('the dept_approver carries its departments (deduplicated); /me shows who is calling', async () => {
    const me = await api('GET', '/api/v1/admin/me', dept);
    expect(me.json).toMatchObject({ username: 'dept-1', role: 'dept_approver', departments: ['心内科', '急诊科'], totpEnabled: false, mustChangePassword: false });
    expect(me.text).not.toContain('passwordHash');
    expect(me.text).not.toContain('scrypt');
  });

  it('account creation checks role, departments, password length, duplicates and the username', async () => {
    expectCode(await api('POST', '/api/v1/admin/accounts', root, { username: 'd-2', role: 'dept_approver', password: INITIAL }), 400, 'BAD_REQUEST');
    expectCode(await api('POST', '/api/v1/admin/accounts', root, { username: 'd-2', role: 'dept_approver', departments: [], password: INITIAL }), 400, 'BAD_REQUEST');
    expectCode(await api('POST', '/api/v1/admin/accounts', root, { username: 'a-2', role: 'auditor', departments: ['心内科'], password: INITIAL }), 400, 'BAD_REQUEST');
    const short = await api('POST', '/api/v1/admin/accounts', root, { username: 'a-2', role: 'auditor', password: 'short-pw-11' });
    expectCode(short, 400, 'BAD_REQUEST');
    expect(short.text).not.toContain('short-pw-11');
    expectCode(await api('POST', '/api/v1/admin/accounts', root, { username: 'a-2', role: 'superuser', password: INITIAL }), 400, 'BAD_REQUEST');
    expectCode(await api('POST', '/api/v1/admin/accounts', root, { username: 'a b', role: 'auditor', password: INITIAL }), 400, 'BAD_REQUEST');
    expectCode(await api('POST', '/api/v1/admin/accounts', root, { username: 'ra-1', role: 'auditor', password: INITIAL }), 409, 'CONFLICT');
    expectCode(await api('GET', '/api/v1/admin/accounts/x', root), 400, 'BAD_REQUEST');
    expectCode(await api('GET', '/api/v1/admin/accounts/nobody-here', root), 404, 'NOT_FOUND');
    const list = await api('GET', '/api/v1/admin/accounts', root);
    const names = (list.json.accounts as { username: string; createdBy: string | null }[]).map((a) => [a.username, a.createdBy]);
    expect(names).toEqual(expect.arrayContaining([['admin', null], ['ra-1', 'admin'], ['dept-1', 'admin'], ['audit-1', 'admin']]));
  });

  it('a new or reset account may only change its password first; the old password is checked', async () => {
    await api('POST', '/api/v1/admin/accounts', root, { username: 'fresh-1', role: 'ra_officer', password: INITIAL });
    const t = (await login('fresh-1', INITIAL)).json.token as string;
    expectCode(await api('POST', '/api/v1/admin/staff', t, { employeeNo: 'F-1', name: '李四', department: '外科' }), 403, 'PASSWORD_CHANGE_REQUIRED');
    expect((await api('GET', '/api/v1/admin/me', t)).json.mustChangePassword).toBe(true);
    const wrong = await api('POST', '/api/v1/admin/me/password', t, { oldPassword: 'not-the-password', newPassword: 'a-new-password-1' });
    expectCode(wrong, 403, 'FORBIDDEN');
    expect(wrong.text).not.toContain('a-new-password-1');
    expectCode(await api('POST', '/api/v1/admin/me/password', t, { oldPassword: INITIAL, newPassword: 'too-short' }), 400, 'BAD_REQUEST');
    expect((await api('POST', '/api/v1/admin/me/password', t, { oldPassword: INITIAL, newPassword: 'a-new-password-1' })).status).toBe(200);
    expect((await api('POST', '/api/v1/admin/staff', t, { employeeNo: 'F-1', name: '李四', department: '外科' })).status).toBe(200);
    expectCode(await login('fresh-1', INITIAL), 401, 'UNAUTHORIZED');

    // a sysadmin's reset ends the holder's sessions and forces a change again
    expect((await api('POST', '/api/v1/admin/accounts/fresh-1/password', root, { password: 'reset-password-77' })).json.mustChangePassword).toBe(true);
    expectCode(await api('GET', '/api/v1/admin/me', t), 401, 'UNAUTHORIZED');
    const again = await login('fresh-1', 'reset-password-77');
    expect(again.json.mustChangePassword).toBe(true);
    expectCode(await api('GET', '/api/v1/admin/settings', again.json.token as string), 403, 'PASSWORD_CHANGE_REQUIRED');
  });

  it('role changes apply to the next request; the last sysadmin cannot be demoted, disabled or deleted', async () => {
    expect((await api('POST', '/api/v1/admin/staff', auditor, { employeeNo: 'RC-1', name: '王五', department: '外科' })).status).toBe(403);
    expect((await api('POST', '/api/v1/admin/accounts/audit-1/role', root, { role: 'ra_officer' })).json.role).toBe('ra_officer');
    expect((await api('POST', '/api/v1/admin/staff', auditor, { employeeNo: 'RC-1', name: '王五', department: '外科' })).status).toBe(200);
    expectCode(await api('POST', '/api/v1/admin/accounts/audit-1/role', root, { role: 'ra_officer', departments: ['外科'] }), 400, 'BAD_REQUEST');
    expect((await api('POST', '/api/v1/admin/accounts/audit-1/role', root, { role: 'auditor' })).json.role).toBe('auditor');

    expectCode(await api('POST', '/api/v1/admin/accounts/admin/role', root, { role: 'auditor' }), 409, 'CONFLICT');
    expectCode(await api('POST', '/api/v1/admin/accounts/admin/disable', root), 409, 'CONFLICT');
    expectCode(await api('DELETE', '/api/v1/admin/accounts/admin', root), 409, 'CONFLICT');
    expect((await api('GET', '/api/v1/admin/me', root)).json.role).toBe('sysadmin');

    // with a second sysadmin, the first can be demoted (and is restored here)
    const second = await newAdmin('sys-2', 'sysadmin');
    expect((await api('POST', '/api/v1/admin/accounts/admin/role', second, { role: 'auditor' })).status).toBe(200);
    expectCode(await api('GET', '/api/v1/admin/accounts', root), 403, 'FORBIDDEN');
    expectCode(await api('POST', '/api/v1/admin/accounts/sys-2/disable', second), 409, 'CONFLICT');
    expect((await api('POST', '/api/v1/admin/accounts/admin/role', second, { role: 'sysadmin' })).status).toBe(200);
    expect((await api('DELETE', '/api/v1/admin/accounts/sys-2', root)).status).toBe(200);
    expectCode(await api('GET', '/api/v1/admin/me', second), 401, 'UNAUTHORIZED');
    expectCode(await login('sys-2', passwordOf('sys-2')), 401, 'UNAUTHORIZED');
  });

  it('a disabled account cannot log in (same answer as a wrong password) and its tokens stop', async () => {
    const wrongPassword = await login('ra-1', 'wrong-password-x');
    expect((await api('POST', '/api/v1/admin/accounts/ra-1/disable', root)).json.disabled).toBe(true);
    expectCode(await api('GET', '/api/v1/admin/me', ra), 401, 'UNAUTHORIZED');
    const disabled = await login('ra-1', passwordOf('ra-1'));
    expect(disabled).toEqual(wrongPassword);
    expect((await api('POST', '/api/v1/admin/accounts/ra-1/enable', root)).json.disabled).toBe(false);
    expect((await login('ra-1', passwordOf('ra-1'))).status).toBe(200);
    await api('POST', '/api/v1/admin/accounts/ra-1/unlock', root); // the wrong password above counted
  });
});

describe('lockout', () => {
  it('5 wrong passwords lock for 15 minutes; the lock shows only to the right password; a sysadmin unlocks', async () => {
    await newAdmin('lock-1', 'auditor');
    const unknown = await login('nobody-at-all', 'whatever-password');
    for (let i = 0; i < 5; i++) expect(await login('lock-1', `wrong-${i}-password`)).toEqual(unknown);
    // locked: a wrong password still gets the generic answer, the right one learns why
    expect(await login('lock-1', 'wrong-6-password')).toEqual(unknown);
    const locked = await login('lock-1', passwordOf('lock-1'));
    expectCode(locked, 423, 'ACCOUNT_LOCKED');
    expect(locked.text).not.toContain(passwordOf('lock-1'));
    const until = Date.parse((await api('GET', '/api/v1/admin/accounts/lock-1', root)).json.lockedUntil as string);
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    // the lock ends by itself after 15 minutes (the service takes the clock as an argument)
    expect(() => cloud.admins.login('lock-1', passwordOf('lock-1'), undefined, until - 1000)).toThrow(expect.objectContaining({ code: 'ACCOUNT_LOCKED' }));
    expect(cloud.admins.login('lock-1', passwordOf('lock-1'), undefined, until + 1000).role).toBe('auditor');

    for (let i = 0; i < 5; i++) await login('lock-1', 'wrong-password-again');
    expectCode(await login('lock-1', passwordOf('lock-1')), 423, 'ACCOUNT_LOCKED');
    expect((await api('POST', '/api/v1/admin/accounts/lock-1/unlock', root)).json.locked).toBe(false);
    expect((await login('lock-1', passwordOf('lock-1'))).status).toBe(200);
  });

  it('a successful login resets the count', async () => {
    await newAdmin('lock-2', 'auditor');
    for (let i = 0; i < 4; i++) await login('lock-2', 'wrong-password-1');
    expect((await login('lock-2', passwordOf('lock-2'))).status).toBe(200);
    for (let i = 0; i < 4; i++) await login('lock-2', 'wrong-password-2');
    expect((await login('lock-2', passwordOf('lock-2'))).status).toBe(200);
    expect(cloud.store.admins.get('lock-2')!.failedLogins).toBe(0);
  });
});

describe('TOTP', () => {
  it('enrol, confirm, then login needs a fresh code; a used code is refused; a sysadmin can turn it off', async () => {
    const t = await newAdmin('totp-1', 'ra_officer');
    const e = await api('POST', '/api/v1/admin/me/totp', t);
    expect(e.status, e.text).toBe(200);
    const secretB32 = e.json.secret as string;
    expect(secretB32).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    const issuer = encodeURIComponent(((await api('GET', '/api/v1/admin/settings', t)).json.settings as { hospitalName: string }).hospitalName);
    expect(e.json.uri).toBe(`otpauth://totp/${issuer}:totp-1?secret=${secretB32}&issuer=${issuer}&algorithm=SHA1&digits=6&period=30`);
    const secret = base32Decode(secretB32);
    // stored sealed under the KEK, not in clear, and never shown again
    const stored = cloud.store.admins.get('totp-1')!.totp!;
    expect(Buffer.from(stored).includes(Buffer.from(secret))).toBe(false);
    expect(stored.length).toBe(1 + 12 + 16 + secret.length);
    expect((await api('GET', '/api/v1/admin/me', t)).text).not.toContain(secretB32);
    // not required until confirmed
    expect((await login('totp-1', passwordOf('totp-1'))).status).toBe(200);

    const s0 = timeStep(Date.now());
    expectCode(await api('POST', '/api/v1/admin/me/totp/confirm', t, { code: hotp(secret, s0 + 5) }), 401, 'TOTP_INVALID');
    expect((await api('POST', '/api/v1/admin/me/totp/confirm', t, { code: hotp(secret, s0) })).json.totpEnabled).toBe(true);
    expectCode(await api('POST', '/api/v1/admin/me/totp', t), 409, 'CONFLICT');

    expectCode(await login('totp-1', passwordOf('totp-1')), 401, 'TOTP_REQUIRED');
    expectCode(await login('totp-1', passwordOf('totp-1'), hotp(secret, s0)), 401, 'TOTP_INVALID'); // used to confirm
    const ok = await login('totp-1', passwordOf('totp-1'), hotp(secret, s0 + 1)); // the next step, within ±1
    expect(ok.status, ok.text).toBe(200);
    expectCode(await login('totp-1', passwordOf('totp-1'), hotp(secret, s0 + 1)), 401, 'TOTP_INVALID'); // replay
    expectCode(await login('totp-1', passwordOf('totp-1'), hotp(secret, s0 - 1)), 401, 'TOTP_INVALID'); // older than the last used
    // a wrong password with a right code is the generic answer
    expect((await login('totp-1', 'wrong-password-z', hotp(secret, s0 + 1))).json.code).toBe('UNAUTHORIZED');
    // wrong codes count towards the lock: the replay, the old code and the wrong password since the success
    expect(cloud.store.admins.get('totp-1')!.failedLogins).toBe(3);

    expectCode(await api('POST', '/api/v1/admin/me/totp/disable', ok.json.token as string, { code: '000000' === hotp(secret, s0 + 1) ? '111111' : '000000' }), 401, 'TOTP_INVALID');
    expect((await api('POST', '/api/v1/admin/accounts/totp-1/totp/disable', root)).json.totpEnabled).toBe(false);
    expect((await login('totp-1', passwordOf('totp-1'))).status).toBe(200);
  });

  it('the owner turns TOTP off with a current code', async () => {
    const t = await newAdmin('totp-2', 'auditor');
    const secret = base32Decode((await api('POST', '/api/v1/admin/me/totp', t)).json.secret as string);
    const s0 = timeStep(Date.now());
    expect((await api('POST', '/api/v1/admin/me/totp/confirm', t, { code: hotp(secret, s0) })).status).toBe(200);
    expectCode(await api('POST', '/api/v1/admin/me/totp/disable', t, { code: hotp(secret, s0) }), 401, 'TOTP_INVALID'); // already used
    expect((await api('POST', '/api/v1/admin/me/totp/disable', t, { code: hotp(secret, s0 + 1) })).json.totpEnabled).toBe(false);
    expectCode(await api('POST', '/api/v1/admin/me/totp/confirm', t, { code: hotp(secret, s0 + 1) }), 409, 'CONFLICT');
  });
});

describe('audit log', () => {
  it('records administrator actions (refusals with their code) without passwords or TOTP secrets', async () => {
    const t = await newAdmin('audited-1', 'auditor');
    const secret = (await api('POST', '/api/v1/admin/me/totp', t)).json.secret as string;
    await api('POST', '/api/v1/admin/accounts/audited-1/password', root, { password: 'audited-reset-pw-1' });
    await api('POST', '/api/v1/admin/accounts/admin/disable', root); // refused: the last sysadmin
    const q = await api('GET', '/api/v1/admin/audit?limit=500', root);
    expect(q.status, q.text).toBe(200);
    const entries = q.json.entries as { actor: string; action: string; target: string | null; result: string; details: unknown }[];
    const find = (action: string, target: string) => entries.find((e) => e.action === action && e.target === target);
    expect(find('admin.create', 'audited-1')).toMatchObject({ actor: 'admin', result: 'ok', details: { role: 'auditor', departments: [] } });
    expect(find('admin.password.change', 'audited-1')).toMatchObject({ actor: 'audited-1', result: 'ok' });
    expect(find('admin.totp.enrol', 'audited-1')).toMatchObject({ actor: 'audited-1', result: 'ok' });
    expect(find('admin.password.reset', 'audited-1')).toMatchObject({ actor: 'admin', result: 'ok' });
    expect(find('admin.disable', 'admin')).toMatchObject({ result: 'failed', details: { code: 'CONFLICT' } });
    for (const secretText of [INITIAL, passwordOf('audited-1'), 'audited-reset-pw-1', secret]) expect(q.text).not.toContain(secretText);
  });
});

describe('system settings', () => {
  it('defaults come from the configuration', async () => {
    const auditor = await newAdmin('audit-s', 'auditor');
    const g = await api('GET', '/api/v1/admin/settings', auditor);
    expect(g.json.settings).toMatchObject({ crlUrl: null, ocspUrl: null, tsaUrl: null, sessionTimeoutSeconds: 120, maxApprovalWindowMinutes: 480, renewalLeadDays: null, reminderDays: [30, 7, 1], reminderHourLocal: 9 });
    expect(g.json.effect).toMatchObject({ sessionTimeoutSeconds: 'immediate' });
  });

  it('refuses wrong types, out-of-range values, bad URLs, unknown keys, empty, malformed and oversized bodies', async () => {
    const bad: unknown[] = [
      { sessionTimeoutSeconds: '60' },
      { sessionTimeoutSeconds: 4 },
      { sessionTimeoutSeconds: 3601 },
      { sessionTimeoutSeconds: 60.5 },
      { maxApprovalWindowMinutes: -1 },
      { maxApprovalWindowMinutes: 24 * 60 + 1 },
      { renewalLeadDays: 0 },
      { reminderDays: [] },
      { reminderDays: [7, 7] },
      { reminderDays: [0] },
      { reminderDays: '30,7,1' },
      { reminderHourLocal: 24 },
      { hospitalName: '' },
      { hospitalName: '医'.repeat(129) },
      { hospitalName: null },
      { crlUrl: 'ftp://crl.example/x.crl' },
      { ocspUrl: 'javascript:alert(1)' },
      { tsaUrl: 'not a url' },
      { crlUrl: `https://x.example/${'a'.repeat(2100)}` },
      { favouriteColour: 'blue' },
      { hospitalName: 'x', extra: 1 },
      {},
      [],
      'hospitalName',
    ];
    for (const body of bad) expectCode(await api('PUT', '/api/v1/admin/settings', root, body), 400, 'BAD_REQUEST');
    expectCode(await api('PUT', '/api/v1/admin/settings', root, undefined, { body: '{"hospitalName": "x', type: 'application/json' }), 400, 'BAD_REQUEST');
    expectCode(await api('PUT', '/api/v1/admin/settings', root, { hospitalName: 'x'.repeat(1100 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    expectCode(await api('PUT', '/api/v1/admin/settings', root, undefined, { body: 'hospitalName=x', type: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectCode(await api('PUT', '/api/v1/admin/settings', null, { hospitalName: 'x' }), 401, 'UNAUTHORIZED');
    expect((await api('GET', '/api/v1/admin/settings', root)).json.settings).toMatchObject({ sessionTimeoutSeconds: 120, maxApprovalWindowMinutes: 480 });
  });

  it('a change is used at once (time-window cap, session timeout), survives a restart, and null restores a default', async () => {
    const put = await api('PUT', '/api/v1/admin/settings', root, { maxApprovalWindowMinutes: 30, sessionTimeoutSeconds: 30, reminderDays: [1, 30, 7], crlUrl: 'https://crl.hospital.example/pki/crl', renewalLeadDays: 20 });
    expect(put.status, put.text).toBe(200);
    expect(put.json.settings).toMatchObject({ maxApprovalWindowMinutes: 30, sessionTimeoutSeconds: 30, reminderDays: [30, 7, 1], crlUrl: 'https://crl.hospital.example/pki/crl', renewalLeadDays: 20 });

    // the phone's policy endpoint (the phone refuses longer windows) carries the new cap
    const policy = await api('GET', '/api/v1/mobile/policy', null);
    expect(policy.json).toEqual({ maxApprovalWindowMinutes: 30, renewalDays: 20 });
    // a new login session times out after the new 30 s
    const reg = await api('POST', '/api/v1/admin/agent-tokens', root, {});
    const agent = await api('POST', '/api/v1/agent/register', null, { registrationToken: reg.json.registrationToken, name: 'settings-ws' });
    const before = Date.now();
    const s = await api('POST', '/api/v1/agent/logins', agent.json.credential as string, { workstation: 'ws-1' });
    expect(s.status, s.text).toBe(200);
    const ttl = Date.parse(s.json.expiresAt as string) - before;
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThan(35_000);
    expect(cloud.services.settings.publicUrls(cloud.url).crl).toBe('https://crl.hospital.example/pki/crl');

    // stored: a restart keeps it
    const dir = cloud.dataDir;
    await cloud.close();
    cloud = await startTestCloud(dir);
    root = await adminToken(cloud.url);
    expect((await api('GET', '/api/v1/mobile/policy', null)).json.maxApprovalWindowMinutes).toBe(30);

    const cleared = await api('PUT', '/api/v1/admin/settings', root, { crlUrl: null, renewalLeadDays: null, maxApprovalWindowMinutes: 0 });
    expect(cleared.json.settings).toMatchObject({ crlUrl: null, renewalLeadDays: null, maxApprovalWindowMinutes: 0, sessionTimeoutSeconds: 30 });
    expect((await api('GET', '/api/v1/mobile/policy', null)).json).toEqual({ maxApprovalWindowMinutes: 0, renewalDays: null });
  });

  it('the TOTP issuer follows the hospital name', async () => {
    await api('PUT', '/api/v1/admin/settings', root, { hospitalName: '第一人民医院' });
    const t = await newAdmin('totp-3', 'auditor');
    const uri = (await api('POST', '/api/v1/admin/me/totp', t)).json.uri as string;
    expect(uri).toContain(`otpauth://totp/${encodeURIComponent('第一人民医院')}:totp-3?`);
    expect(ADMIN_PASSWORD.length).toBeGreaterThanOrEqual(12);
  });
});
