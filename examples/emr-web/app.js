/*
 * The EMR example page: a doctor logs in by scanning a QR code with the MedSign phone app,
 * signs a progress note (病程记录) and a batch of nursing records (护理记录) through the local
 * MedSign agent, and sees each stored signature verified. Plain ES2020, no bundler: the SDK
 * comes from /sdk/medsign.iife.js (window.MedSign) and /sdk/medsign-qr.iife.js
 * (window.MedSignQr), the agent's port from /config.js (window.EMR_CONFIG).
 *
 * Signed records live in localStorage ('medsign-emr-records'); a real EMR keeps them in its
 * database. Every text shown comes through textContent (never innerHTML).
 */
(function () {
  'use strict';

  const RECORDS_KEY = 'medsign-emr-records';
  const DRAFTS_KEY = 'medsign-emr-nursing-drafts';
  const DOCTOR_KEY = 'medsign-emr-doctor';
  const APP = 'EMR 电子病历';
  const KINDS = { note: '病程记录 Note', nursing: '护理记录 Nursing' };
  const STAGES = {
    digesting: '计算摘要 Digesting',
    'waiting-for-phone': '等待手机确认 Waiting for the phone',
    assembling: '生成签名 Assembling',
    timestamping: '加盖时间戳 Timestamping',
  };
  const REVOKED_SUBS = ['REVOKED', 'REVOKED_NO_POE', 'REVOKED_CA_NO_POE'];
  const TAMPERED_FAILURES = ['HASH_FAILURE', 'SIG_CRYPTO_FAILURE', 'SIGNING_CERTIFICATE_MISMATCH'];
  const INDICATIONS = { TOTAL_FAILED: '无效 Invalid', INDETERMINATE: '无法确定 Indeterminate' };

  const $ = (sel) => document.querySelector(sel);
  const config = window.EMR_CONFIG || { agentPorts: [17990] };
  const client = new window.MedSign.MedSignClient({ ports: config.agentPorts });

  /** the doctor who signs: { certId, name } */
  let doctor = null;
  /** record id → { status, label, detail } */
  const statuses = new Map();
  /** record id → its <tr> */
  const rows = new Map();

  // ---------- storage ----------
  function loadList(key) {
    try {
      const v = JSON.parse(localStorage.getItem(key) || '[]');
      return Array.isArray(v) ? v : [];
    } catch (e) {
      return [];
    }
  }
  const saveList = (key, list) => localStorage.setItem(key, JSON.stringify(list));
  let idCounter = 0;
  /** An integer in [0, n) from the browser's CSPRNG (demo ids and demo data; the project uses no Math.random). */
  const randomBelow = (n) => crypto.getRandomValues(new Uint32Array(1))[0] % n;
  const newId = () => `${Date.now().toString(36)}-${(++idCounter).toString(36)}-${randomBelow(2 ** 31).toString(36)}`;

  // ---------- messages ----------
  /** The SDK's errors carry a message in Chinese with English, and a code. */
  function messageOf(err) {
    if (err && typeof err.message === 'string') return err.code ? `${err.message} [${err.code}]` : err.message;
    return String(err);
  }
  function showError(err) {
    $('#error-text').textContent = typeof err === 'string' ? err : messageOf(err);
    $('#error').hidden = false;
  }
  function clearError() {
    $('#error').hidden = true;
  }

  /** The verification code panel: the doctor approves on the phone only if the codes match. */
  function showCode(code, what) {
    const el = $('#code');
    el.dataset.state = 'waiting';
    el.dataset.code = code;
    const label = document.createElement('span');
    label.textContent = '请核对手机上的校验码 Check the code on the phone: ';
    const digits = document.createElement('strong');
    digits.className = 'digits';
    digits.textContent = code;
    const about = document.createElement('span');
    about.className = 'about';
    about.textContent = what;
    el.replaceChildren(label, digits, about);
    el.hidden = false;
  }
  function showPhoneState(state, text) {
    const el = $('#code');
    el.dataset.state = state;
    delete el.dataset.code;
    el.textContent = text;
    el.hidden = false;
  }

  function setBusy(busy) {
    for (const id of ['#sign', '#sign-all', '#login-qr', '#users']) $(id).disabled = busy;
    document.body.setAttribute('aria-busy', String(busy));
  }

  // ---------- the agent ----------
  const CONNECTION = {
    idle: ['未连接 Not connected', 'off'],
    connecting: ['连接中 Connecting…', 'off'],
    open: ['医签助手已连接 Agent connected', 'on'],
    reconnecting: ['重新连接中 Reconnecting…', 'off'],
    closed: ['未连接医签助手 Agent not connected', 'off'],
  };
  client.on('connection', (e) => {
    const [text, cls] = CONNECTION[e.state] || [e.state, 'off'];
    const pill = $('#agent-state');
    pill.textContent = text;
    pill.dataset.state = cls;
    if (e.state === 'open') $('#agent-missing').hidden = true;
  });

  /**
   * Connect (client.isAvailable() says the same as a boolean; connect() also says why not):
   * AGENT_UNAVAILABLE "请安装并启动医签助手 …", ORIGIN_REFUSED (the agent runs but does not allow
   * this page's origin), VERSION_MISMATCH.
   */
  async function start() {
    $('#agent-missing').hidden = true;
    try {
      await client.connect();
    } catch (err) {
      $('#agent-missing-title').textContent = messageOf(err);
      $('#agent-missing').hidden = false;
      return;
    }
    try {
      await refreshUsers();
    } catch (err) {
      showError(err);
    }
    await verifyRecords(loadList(RECORDS_KEY));
  }

  // ---------- doctor ----------
  function setDoctor(d) {
    doctor = d;
    const el = $('#doctor');
    el.textContent = d ? d.name : '未登录 not logged in';
    if (d) {
      el.dataset.certId = d.certId;
      sessionStorage.setItem(DOCTOR_KEY, d.certId);
    } else delete el.dataset.certId;
    $('#users').value = d ? d.certId : '';
  }

  /** The doctors already logged in on the agent (by QR here, by push, or the demo doctor). */
  async function refreshUsers(prefer) {
    const { users } = await client.getUserList();
    const select = $('#users');
    const option = (value, text) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      return o;
    };
    select.replaceChildren(
      option('', users.length ? '— 请选择 choose —' : '— 无 none —'),
      ...users.map((u) => option(u.certId, `${u.name}（工号 ${u.employeeNo}，${u.algorithm}）`)),
    );
    const wanted = (prefer || (doctor && doctor.certId) || sessionStorage.getItem(DOCTOR_KEY) || '').toUpperCase();
    const pick = users.find((u) => u.certId.toUpperCase() === wanted) || users[0];
    setDoctor(pick ? { certId: pick.certId, name: pick.name } : null);
  }

  $('#users').addEventListener('change', async () => {
    clearError();
    const certId = $('#users').value;
    try {
      const { users } = await client.getUserList();
      const u = users.find((x) => x.certId === certId);
      setDoctor(u ? { certId: u.certId, name: u.name } : null);
    } catch (err) {
      showError(err);
    }
  });

  $('#login-qr').addEventListener('click', async () => {
    clearError();
    setBusy(true);
    $('#login-hint').textContent = '请用手机医签扫描二维码 Scan the QR code with MedSign on your phone';
    try {
      const who = await window.MedSignQr.qrLogin(client, $('#qr'), {
        size: 240,
        onVerificationCode: (code) => showCode(code, '登录 Login'),
      });
      $('#login-hint').textContent = `已登录 Logged in: ${who.name}`;
      showPhoneState('done', `已登录 Logged in: ${who.name}`);
      setDoctor(who);
      await refreshUsers(who.certId);
    } catch (err) {
      $('#login-hint').textContent = '';
      showPhoneState('failed', '登录未完成 Login not completed');
      showError(err);
    } finally {
      $('#qr').replaceChildren();
      setBusy(false);
    }
  });

  /** After a failed signing: a login that ended on the agent (or at the cloud) leaves the list. */
  function signingFailed(err) {
    showPhoneState('failed', '未签名 Not signed');
    showError(err);
    if (err && (err.code === 'NOT_LOGGED_IN' || err.code === 'CERT_NOT_FOUND')) refreshUsers().catch(() => undefined);
  }

  function needDoctor() {
    if (doctor) return true;
    showError('请先登录：扫码登录，或选择已登录的医生 (log in first: by QR, or choose a logged-in doctor)');
    return false;
  }

  // ---------- a progress note ----------
  $('#note-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError();
    if (!needDoctor()) return;
    const name = $('#patient-name').value.trim();
    const pid = $('#patient-id').value.trim();
    const text = $('#note').value;
    if (!name || !text.trim()) return showError('请填写患者姓名和病程记录 (fill in the patient and the note)');
    const signer = doctor;
    setBusy(true);
    showPhoneState('sending', '正在发送到医生手机… Sending to the doctor’s phone…');
    const off = client.on('verificationCode', (e) => showCode(e.verificationCode, `${name} 病程记录`));
    try {
      const r = await client.signMessage({ certId: signer.certId, text, detached: true, profile: 'rfc5652', app: APP, summary: `${name} 病程记录` });
      if (!r.signedMessage) throw new Error('签名未完成 (signing did not complete)');
      const record = { id: newId(), patient: pid ? `${name}（${pid}）` : name, kind: 'note', text, signedMessage: r.signedMessage, signedAt: new Date().toISOString(), signer: signer.name };
      addRecords([record]);
      showPhoneState('done', `已签名 Signed: ${name} 病程记录`);
      $('#note').value = '';
      await verifyRecords([record]);
    } catch (err) {
      signingFailed(err);
    } finally {
      off();
      setBusy(false);
    }
  });

  // ---------- nursing records ----------
  const NAMES = ['王建国', '陈桂兰', '刘淑珍', '赵志强', '孙玉梅', '周海峰', '吴秀兰', '郑明', '冯丽华', '何永安'];
  const OBSERVATIONS = ['患者安静入睡', '诉轻度头晕，已报告医生', '输液通畅，穿刺处无红肿', '协助翻身，皮肤完好', '饮食可，二便正常', '遵医嘱予吸氧 2 L/min'];
  const pick = (list) => list[randomBelow(list.length)];
  const between = (lo, hi) => lo + randomBelow(hi - lo + 1);

  function renderDrafts() {
    $('#unsigned-count').textContent = String(loadList(DRAFTS_KEY).length);
  }

  $('#make-nursing').addEventListener('click', () => {
    clearError();
    const n = Math.max(1, Math.min(1000, parseInt($('#nursing-count').value, 10) || 50));
    const drafts = loadList(DRAFTS_KEY);
    const time = new Date().toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false });
    for (let i = 0; i < n; i++) {
      const bed = (drafts.length % 40) + 1;
      const patient = `${bed}床 ${NAMES[bed % NAMES.length]}`;
      const text = `护理记录 ${time}：${patient}，T ${36 + between(2, 9) / 10}℃，P ${between(62, 96)} 次/分，R ${between(14, 20)} 次/分，BP ${between(105, 138)}/${between(62, 88)} mmHg，SpO₂ ${between(95, 99)}%。${pick(OBSERVATIONS)}。`;
      drafts.push({ id: newId(), patient, text });
    }
    saveList(DRAFTS_KEY, drafts);
    renderDrafts();
  });

  $('#sign-all').addEventListener('click', async () => {
    clearError();
    if (!needDoctor()) return;
    const drafts = loadList(DRAFTS_KEY);
    if (!drafts.length) return showError('没有未签的护理记录 (no unsigned nursing records)');
    const signer = doctor;
    const bar = $('#batch-progress');
    const say = (t) => ($('#batch-text').textContent = t);
    bar.max = drafts.length;
    bar.value = 0;
    say(`准备 Preparing 0/${drafts.length}`);
    setBusy(true);
    showPhoneState('sending', '正在发送到医生手机… Sending to the doctor’s phone…');
    const offCode = client.on('verificationCode', (e) => showCode(e.verificationCode, `${e.count} 条护理记录 nursing records`));
    const offProgress = client.on('progress', (p) => {
      bar.max = p.total;
      bar.value = p.done;
      say(`${STAGES[p.stage] || p.stage} ${p.done}/${p.total}`);
    });
    try {
      const r = await client.signBatch({
        certId: signer.certId,
        items: drafts.map((d) => ({ text: d.text, summary: `${d.patient} 护理记录` })),
        format: 'cms',
        detached: true,
        app: APP,
        summary: `护理记录 ${drafts.length} 条`,
      });
      if (!r.results || r.results.length !== drafts.length) throw new Error('签名未完成 (signing did not complete)');
      const signedAt = new Date().toISOString();
      const records = drafts.map((d, i) => ({ id: d.id, patient: d.patient, kind: 'nursing', text: d.text, signedMessage: r.results[i].signedMessage, signedAt, signer: signer.name }));
      addRecords(records);
      const signedIds = new Set(drafts.map((d) => d.id));
      saveList(DRAFTS_KEY, loadList(DRAFTS_KEY).filter((d) => !signedIds.has(d.id)));
      renderDrafts();
      bar.value = bar.max;
      say(`已签名 Signed ${records.length}/${records.length}`);
      showPhoneState('done', `已签名 Signed: ${records.length} 条护理记录 nursing records`);
      await verifyRecords(records);
    } catch (err) {
      say('未签名 Not signed');
      signingFailed(err);
    } finally {
      offCode();
      offProgress();
      setBusy(false);
    }
  });

  // ---------- signed records ----------
  function addRecords(records) {
    saveList(RECORDS_KEY, [...records, ...loadList(RECORDS_KEY)]);
    renderRecords();
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function renderRecords() {
    const records = loadList(RECORDS_KEY);
    const body = $('#records tbody');
    rows.clear();
    body.replaceChildren(
      ...records.map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.id = String(r.id);
        const when = new Date(r.signedAt);
        const text = cell(String(r.text), 'text');
        text.title = String(r.text);
        if (!isNaN(when)) tr.title = `签名时间 Signed ${when.toLocaleString('zh-CN', { hour12: false })}`;
        tr.append(
          cell(isNaN(when) ? '' : when.toLocaleString('zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }), 'when'),
          cell(String(r.patient)),
          cell(KINDS[r.kind] || String(r.kind)),
          cell(String(r.signer)),
          text,
          cell('', 'status'),
        );
        rows.set(tr.dataset.id, tr);
        paintStatus(tr.dataset.id);
        return tr;
      }),
    );
    $('#no-records').hidden = records.length > 0;
  }

  function paintStatus(id) {
    const tr = rows.get(id);
    if (!tr) return;
    const s = statuses.get(id) || { status: 'unchecked', label: '未验证 Not checked', detail: '' };
    const td = tr.querySelector('td.status');
    td.dataset.status = s.status;
    tr.dataset.status = s.status;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = s.label;
    td.replaceChildren(badge);
    if (s.detail && s.status !== 'valid') {
      const small = document.createElement('small');
      small.textContent = s.detail;
      td.append(small);
    }
    td.title = s.detail || s.label;
  }

  /** What verifySignedMessage says, for a clinician: valid, revoked, tampered, or the indication. */
  function classify(v) {
    const report = v.report || {};
    const sub = report.subIndication;
    const detail = typeof report.summary === 'string' ? report.summary : '';
    if (!v.valid && TAMPERED_FAILURES.includes(v.failure)) return { status: 'tampered', label: '已篡改 Tampered', detail };
    if (v.valid && v.indication === 'TOTAL_PASSED') return { status: 'valid', label: '有效 Valid', detail };
    const revokedCert = Array.isArray(report.revocation) && report.revocation.some((r) => r && r.status === 'revoked');
    if (REVOKED_SUBS.includes(sub) || (v.indication === 'TOTAL_FAILED' && revokedCert)) return { status: 'revoked', label: '已吊销 Revoked', detail };
    return { status: 'other', label: `${INDICATIONS[v.indication] || v.indication}${sub ? ` · ${sub}` : v.failure ? ` · ${v.failure}` : ''}`, detail };
  }

  async function verifyOne(record) {
    if (typeof record.signedMessage !== 'string' || typeof record.text !== 'string') return { status: 'other', label: '记录损坏 Damaged record', detail: '' };
    try {
      return classify(await client.verifySignedMessage({ signedMessage: record.signedMessage, text: record.text }));
    } catch (err) {
      return { status: 'other', label: '无法验证 Cannot verify', detail: messageOf(err) };
    }
  }

  /** Verify these records (a few at a time), painting each row as its answer comes. */
  async function verifyRecords(records) {
    for (const r of records) {
      statuses.set(String(r.id), { status: 'checking', label: '验证中 Checking…', detail: '' });
      paintStatus(String(r.id));
    }
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const r = records[next++];
        statuses.set(String(r.id), await verifyOne(r));
        paintStatus(String(r.id));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    summarize();
  }

  function summarize() {
    const counts = {};
    for (const id of rows.keys()) {
      const s = (statuses.get(id) || { status: 'unchecked' }).status;
      counts[s] = (counts[s] || 0) + 1;
    }
    const names = { valid: '有效 valid', revoked: '已吊销 revoked', tampered: '已篡改 tampered', other: '其他 other', unchecked: '未验证 not checked' };
    $('#verify-summary').textContent = Object.keys(names)
      .filter((k) => counts[k])
      .map((k) => `${names[k]} ${counts[k]}`)
      .join(' · ');
  }

  $('#verify-all').addEventListener('click', async () => {
    clearError();
    const btn = $('#verify-all');
    btn.disabled = true;
    try {
      renderRecords(); // re-read the store: what is verified is what is stored now
      await verifyRecords(loadList(RECORDS_KEY));
    } finally {
      btn.disabled = false;
    }
  });

  $('#error-close').addEventListener('click', clearError);
  $('#retry').addEventListener('click', () => void start());

  renderDrafts();
  renderRecords();
  summarize();
  void start();
})();
