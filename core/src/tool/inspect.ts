/** Recognise a PKI object and describe it for people (medsign-tool inspect). */
import { findSignerCertificate, parseSignedMessage } from '../cms/signed-data.js';
import { parseCompact } from '../compact/record.js';
import { toBase64, toHex } from '../encoding.js';
import { medsignError } from '../errors.js';
import { OID } from '../oids.js';
import { getCertInfo, isoTime, SGD_CERT } from '../pki/cert-info.js';
import { parseCertificate } from '../pki/certificate.js';
import { parseCsr } from '../pki/csr.js';
import { publicKeyDescription } from '../pki/public-key.js';
import { parseCrl } from '../revocation/crl.js';
import { parseOcspRequest, parseOcspResponse } from '../revocation/ocsp.js';
import { parseTimeStampRequest, parseTimeStampResponse, parseTimeStampToken } from '../tsp/timestamp.js';

export type ObjectType = 'certificate' | 'csr' | 'signed-message' | 'timestamp-token' | 'timestamp-response' | 'crl' | 'ocsp-response' | 'ocsp-request' | 'timestamp-request' | 'compact-record';

export interface Description {
  type: ObjectType;
  /** Chinese (English) */
  title: string;
  fields: [label: string, value: string][];
}

const REASONS: Record<number, string> = { 0: 'unspecified', 1: 'keyCompromise', 2: 'cACompromise', 3: 'affiliationChanged', 4: 'superseded', 5: 'cessationOfOperation', 6: 'certificateHold', 8: 'removeFromCRL', 9: 'privilegeWithdrawn', 10: 'aACompromise' };

function preview(content: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(content.subarray(0, 200));
  const printable = !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
  return printable ? JSON.stringify(text + (content.length > 200 ? '…' : '')) : `(binary) ${toHex(content.subarray(0, 32))}${content.length > 32 ? '…' : ''}`;
}

const describers: [ObjectType, (der: Uint8Array) => Description][] = [
  [
    'certificate',
    (der) => {
      const c = parseCertificate(der);
      const info = (t: number) => getCertInfo(c, t);
      const f: [string, string][] = [
        ['主题 Subject', c.subjectText],
        ['颁发者 Issuer', c.issuerText],
        ['序列号 Serial', c.serialNumber],
        ['有效期 Validity', `${isoTime(c.notBefore)} — ${isoTime(c.notAfter)}`],
        ['公钥 Public key', publicKeyDescription(c.publicKey)],
        ['签名算法 Signature', c.signatureAlgorithm],
        ['密钥用途 Key usage', info(SGD_CERT.EXT_KEYUSAGE_INFO) || '—'],
        ['扩展密钥用途 EKU', info(SGD_CERT.EXT_EXTKEYUSAGE_INFO) || '—'],
        ['基本约束 Basic constraints', info(SGD_CERT.EXT_BASICCONSTRAINTS_INFO) || '—'],
        ['CRL 发布点 CRL DP', info(SGD_CERT.EXT_CRLDISTRIBUTIONPOINTS_INFO) || '—'],
        ['自定义扩展 Custom extensions', info(SGD_CERT.EXT_SELFDEFINED_EXTENSION_INFO) || '—'],
        ['SHA-256', c.sha256],
      ];
      return { type: 'certificate', title: `证书 Certificate (X.509 v${c.version})`, fields: f };
    },
  ],
  [
    'csr',
    (der) => {
      const r = parseCsr(der);
      return {
        type: 'csr',
        title: '证书请求 Certificate request (PKCS#10)',
        fields: [
          ['主题 Subject', r.subjectText],
          ['公钥 Public key', publicKeyDescription(r.publicKey)],
          ['签名算法 Signature', r.signatureAlgorithm],
          ['持有证明 Proof of possession', r.signatureValid ? '有效 valid' : '无效 INVALID'],
          ['请求的扩展 Requested extensions', r.extensions.map((e) => e.extnID).join(', ') || '—'],
        ],
      };
    },
  ],
  [
    'signed-message',
    (der) => {
      const m = parseSignedMessage(der);
      if (m.eContentType === OID.tstInfo) return describeToken(der);
      const signer = findSignerCertificate(m);
      return {
        type: 'signed-message',
        title: `签名消息 Signed message (PKCS#7/CMS, ${m.profile})`,
        fields: [
          ['原文 Content', m.content ? `${m.content.length} bytes, ${preview(m.content)}` : '分离式，不含原文 (detached)'],
          ['签名者 Signer', signer?.subjectText ?? '证书不在消息中 (certificate not included)'],
          ['签名算法 Algorithm', `${m.signatureAlgorithm} (digest ${m.digestAlgorithm})`],
          ['签名时间 Signing time', m.signingTime ? isoTime(m.signingTime) : '—'],
          ['携带证书 Certificates', String(m.certificates.length)],
          ['时间戳 Timestamp', m.timestampToken ? isoTime(parseTimeStampToken(m.timestampToken).genTime) : '—'],
          ['签名值 Signature', toBase64(m.signature)],
        ],
      };
    },
  ],
  ['crl', (der) => {
    const c = parseCrl(der);
    return {
      type: 'crl',
      title: `证书吊销列表 CRL (v${c.version})`,
      fields: [
        ['颁发者 Issuer', c.issuerText],
        ['本次更新 This update', isoTime(c.thisUpdate)],
        ['下次更新 Next update', c.nextUpdate ? isoTime(c.nextUpdate) : '—'],
        ['CRL 编号 Number', c.crlNumber?.toString() ?? '—'],
        ['签名算法 Signature', c.signatureAlgorithm],
        ['吊销条目 Entries', String(c.entries.length)],
        ...c.entries.slice(0, 50).map((e): [string, string] => [`  ${e.serialNumber}`, `${isoTime(e.revocationDate)}${e.reason !== undefined ? ` ${REASONS[e.reason] ?? e.reason}` : ''}`]),
      ],
    };
  }],
  ['timestamp-response', (der) => {
    const r = parseTimeStampResponse(der);
    if (r.token) return { ...describeToken(r.token), type: 'timestamp-response', title: `时间戳响应 Timestamp response (${r.status})` };
    return { type: 'timestamp-response', title: `时间戳响应 Timestamp response (${r.status})`, fields: [['状态 Status', r.status], ['说明 Text', r.statusText ?? '—'], ['失败原因 Failure', r.failInfo.join(', ') || '—']] };
  }],
  ['ocsp-response', (der) => {
    const r = parseOcspResponse(der);
    const fields: [string, string][] = [['响应状态 Status', r.responseStatus]];
    if (r.responseStatus === 'successful') {
      fields.push(['签发时间 Produced at', isoTime(r.producedAt)], ['签名算法 Signature', r.signatureAlgorithm], ['应答者 Responder', r.responderName ?? `key ${r.responderKeyHash ?? '?'}`]);
    }
    for (const s of r.responses) fields.push([`  ${s.serialNumber}`, s.status.status + (s.status.status === 'revoked' ? ` ${isoTime(s.status.revocationTime)}` : '')]);
    return { type: 'ocsp-response', title: 'OCSP 响应 OCSP response', fields };
  }],
  ['ocsp-request', (der) => {
    const r = parseOcspRequest(der);
    return { type: 'ocsp-request', title: 'OCSP 请求 OCSP request', fields: [...r.requests.map((q): [string, string] => ['证书序列号 Serial', q.serialNumber]), ['随机数 Nonce', r.nonce ? toHex(r.nonce) : '—']] };
  }],
  ['timestamp-request', (der) => {
    const r = parseTimeStampRequest(der);
    return { type: 'timestamp-request', title: '时间戳请求 Timestamp request', fields: [['摘要 Imprint', `${r.hash} ${toHex(r.digest)}`], ['随机数 Nonce', r.nonce ?? '—'], ['要求证书 Cert required', String(r.certReq)], ['策略 Policy', r.policy ?? '—']] };
  }],
  ['compact-record', (der) => {
    const r = parseCompact(der);
    return {
      type: 'compact-record',
      title: `压缩签名记录 Compact signature record (v${r.version})`,
      fields: [
        ['签名算法 Algorithm', r.signatureAlgorithm],
        ['格式 Profile', `${r.profile}, ${r.detached ? 'detached' : 'attached'}, certificate ${r.certificateIncluded ? 'included' : 'not included'}`],
        ['证书 SHA-256', r.certificateSha256],
        ['签名时间 Signing time', isoTime(r.signingTime)],
        ['时间戳 Timestamp', r.timestampToken ? isoTime(parseTimeStampToken(r.timestampToken).genTime) : '—'],
      ],
    };
  }],
];

function describeToken(der: Uint8Array): Description {
  const t = parseTimeStampToken(der);
  const tsa = t.message.certificates.map((c) => parseCertificate(c))[0];
  return {
    type: 'timestamp-token',
    title: '时间戳 Timestamp token (RFC 3161)',
    fields: [
      ['时间 Time', isoTime(t.genTime)],
      ['摘要 Imprint', `${t.hash} ${toHex(t.digest)}`],
      ['序列号 Serial', t.serialNumber],
      ['策略 Policy', t.policy],
      ['精度 Accuracy', t.accuracy ? JSON.stringify(t.accuracy) : '—'],
      ['时间戳服务 TSA', tsa?.subjectText ?? '—'],
    ],
  };
}

export function describe(der: Uint8Array): Description {
  for (const [, fn] of describers) {
    try {
      return fn(der);
    } catch {
      /* not this type: try the next */
    }
  }
  throw medsignError('INPUT_INVALID', {
    en: 'not a certificate, CSR, CMS, timestamp, CRL, OCSP message or compact record',
    zh: '无法识别：不是证书、证书请求、签名消息、时间戳、CRL、OCSP 或压缩签名记录',
  });
}
