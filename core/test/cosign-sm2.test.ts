import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudKeygenConfirm,
  cloudKeygenOpen,
  cloudKeygenRespond,
  phoneKeygenFinish,
  phoneKeygenStart,
} from '../src/cosign/sm2-keygen.js';
import { cloudSignRespond, phoneSignFinish, phoneSignStart, type Sm2SignReply } from '../src/cosign/sm2-sign.js';
import { MAX_BATCH } from '../src/cosign/wire.js';
import { toHex } from '../src/encoding.js';
import type { MedSignError } from '../src/errors.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { portableRuntime } from '../src/runtime/portable.js';
import { N, Sm2Point } from '../src/sm2/curve.js';
import { sm2PublicKeyToSpki } from '../src/sm2/keys.js';
import { pointFromHex, pointToHex } from '../src/sm2/point.js';
import { invN, modN, scalarFromHex, scalarToHex } from '../src/sm2/scalar.js';
import { encodeSm2SignatureDer } from '../src/sm2/signature.js';
import { sm2Digest } from '../src/sm2/za.js';
import { toPem } from '../src/pem.js';
import { newSessionId, runSm2Keygen, runSm2Sign, wire } from './cosign-helpers.js';
import { OpensslCli } from './openssl-cli.js';

const code = (code: string) => expect.objectContaining({ code });

beforeAll(() => useRuntime(nodeRuntime));
afterAll(() => useRuntime(nodeRuntime));

function nodePublicKey(publicKeyHex: string) {
  return createPublicKey({ key: Buffer.from(sm2PublicKeyToSpki(pointFromHex(publicKeyHex))), format: 'der', type: 'spki' });
}

describe('two-party SM2 key generation', () => {
  it('both sides agree on P, and P = d·G with (1 + d)⁻¹ = d1·d2', () => {
    const { phone, cloud } = runSm2Keygen();
    expect(phone.publicKey).toBe(cloud.publicKey);
    const d = modN(invN(scalarFromHex(phone.d1) * scalarFromHex(cloud.d2)) - 1n);
    expect(pointToHex(Sm2Point.BASE.multiply(d))).toBe(phone.publicKey);
    // messages and shares are plain JSON
    expect(wire(phone)).toEqual(phone);
  });

  it('refuses a proof made for another session (replay) or reflected from the other role', () => {
    const a = phoneKeygenStart('kg-a');
    const cloudB = cloudKeygenOpen('kg-b');
    const moved = { ...a.message, sessionId: 'kg-b' };
    expect(() => cloudKeygenRespond(cloudB, wire(moved))).toThrow(code('PROOF_INVALID'));

    // the cloud's own proof, sent back to it as the phone's
    const cloudA = cloudKeygenOpen('kg-c');
    const phoneA = phoneKeygenStart('kg-c');
    const reply = cloudKeygenRespond(cloudA, wire(phoneA.message));
    const cloudC2 = cloudKeygenOpen('kg-c');
    expect(() => cloudKeygenRespond(cloudC2, wire({ ...phoneA.message, p1: reply.p2, proof: reply.proof }))).toThrow(code('PROOF_INVALID'));
  });

  it('refuses an off-curve or identity P2 from the cloud, and a wrong P', () => {
    const off = (hex: string) => hex.slice(0, -2) + ((parseInt(hex.slice(-2), 16) ^ 1).toString(16).padStart(2, '0'));
    for (const tamper of [
      (r: Record<string, unknown>) => ({ ...r, p2: off(r.p2 as string) }),
      (r: Record<string, unknown>) => ({ ...r, p2: '00' }),
      (r: Record<string, unknown>) => ({ ...r, publicKey: pointToHex(Sm2Point.BASE) }),
      (r: Record<string, unknown>) => ({ ...r, proof: { ...(r.proof as object), z: scalarToHex(1n) } }),
    ]) {
      const sid = newSessionId('kg');
      const c = cloudKeygenOpen(sid);
      const p = phoneKeygenStart(sid);
      const reply = cloudKeygenRespond(c, wire(p.message)) as unknown as Record<string, unknown>;
      expect(() => phoneKeygenFinish(p.state, wire(tamper(reply)))).toThrow(/曲线点无效|证明|公钥不一致/);
      expect(p.state.d1).toBe(''); // the state is consumed either way
    }
  });

  it('the cloud refuses an off-curve P1 and a mismatched confirmation, and each step runs once', () => {
    const sid = newSessionId('kg');
    const p = phoneKeygenStart(sid);
    const c = cloudKeygenOpen(sid);
    const badP1 = { ...p.message, p1: '04' + 'ab'.repeat(64) };
    expect(() => cloudKeygenRespond(c, wire(badP1))).toThrow(code('POINT_INVALID'));

    const c2 = cloudKeygenOpen(sid);
    const reply = cloudKeygenRespond(c2, wire(p.message));
    expect(() => cloudKeygenRespond(c2, wire(p.message))).toThrow(code('SESSION_REPLAY'));
    const { message: confirm } = phoneKeygenFinish(p.state, wire(reply));
    expect(() => phoneKeygenFinish(p.state, wire(reply))).toThrow(code('SESSION_REPLAY'));
    expect(() => cloudKeygenConfirm(c2, wire({ ...confirm, publicKey: pointToHex(Sm2Point.BASE) }))).toThrow(code('PUBLIC_KEY_MISMATCH'));
    expect(c2.d2).toBe(''); // a failed confirmation discards the cloud's share
  });
});

describe('two-party SM2 signing', () => {
  it('1,000 random co-signatures, every one accepted by node:crypto SM2 verify', () => {
    // node:crypto verifies with OpenSSL 3.0's default ID, the empty string, so e is made with userId ''.
    let accepted = 0;
    for (let key = 0; key < 25; key++) {
      const { phone, cloud } = runSm2Keygen();
      const P = pointFromHex(phone.publicKey);
      const pub = nodePublicKey(phone.publicKey);
      // 40 messages per key: half one at a time, half in batches of 5
      const messages = Array.from({ length: 40 }, (_, i) => new Uint8Array(randomBytes(1 + ((key * 40 + i) % 300))));
      const digests = messages.map((m) => toHex(sm2Digest(P, m, '')));
      const sigs = [
        ...digests.slice(0, 20).flatMap((d) => runSm2Sign(phone, cloud, [d])),
        ...[20, 25, 30, 35].flatMap((start) => runSm2Sign(phone, cloud, digests.slice(start, start + 5))),
      ];
      sigs.forEach((sig, i) => {
        if (verify(null, messages[i]!, pub, encodeSm2SignatureDer(sig))) accepted++;
      });
      // and a tampered message is refused by OpenSSL
      const tampered = messages[0]!.slice();
      tampered[0]! ^= 0x80;
      expect(verify(null, tampered, pub, encodeSm2SignatureDer(sigs[0]!))).toBe(false);
    }
    expect(accepted).toBe(1000);
  });

  it('co-signatures over the default ID verify with the openssl CLI (distid:1234567812345678)', () => {
    const cli = new OpensslCli();
    try {
      const { phone, cloud } = runSm2Keygen();
      const P = pointFromHex(phone.publicKey);
      cli.write('pub.pem', toPem(sm2PublicKeyToSpki(P), 'PUBLIC KEY'));
      const msg = new TextEncoder().encode('出院小结 discharge summary');
      cli.write('msg.bin', msg);
      for (let i = 0; i < 5; i++) {
        const [sig] = runSm2Sign(phone, cloud, [toHex(sm2Digest(P, msg))]);
        cli.write('sig.der', encodeSm2SignatureDer(sig!));
        const res = cli.run(['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pubin', '-inkey', 'pub.pem', '-in', 'msg.bin', '-sigfile', 'sig.der', '-pkeyopt', 'distid:1234567812345678']);
        expect(res.out).toMatch(/Signature Verified Successfully/);
      }
    } finally {
      cli.dispose();
    }
  });

  it('the portable (browser) runtime co-signs with the node cloud, and OpenSSL accepts the result', () => {
    const { phone, cloud } = runSm2Keygen();
    const P = pointFromHex(phone.publicKey);
    const pub = nodePublicKey(phone.publicKey);
    const msgs = Array.from({ length: 10 }, () => new Uint8Array(randomBytes(64)));
    const digests = msgs.map((m) => toHex(sm2Digest(P, m, '')));
    const sessionId = newSessionId('mixed');
    useRuntime(portableRuntime); // the phone's H5 app
    const { state, message } = phoneSignStart({ sessionId, digests });
    useRuntime(nodeRuntime); // the cloud
    const reply = cloudSignRespond(cloud, { sessionId, digests, step: 'awaiting-phone-commit' }, wire(message));
    useRuntime(portableRuntime);
    const sigs = phoneSignFinish(phone, state, wire(reply));
    useRuntime(nodeRuntime);
    sigs.forEach((sig, i) => expect(verify(null, msgs[i]!, pub, encodeSm2SignatureDer(sig))).toBe(true));
  });

  it('a batch of N digests is one commit and one reply with N entries, with fresh nonces', () => {
    const { phone, cloud } = runSm2Keygen();
    const digest = toHex(new Uint8Array(randomBytes(32)));
    const digests = Array.from({ length: 50 }, () => digest); // the same digest 50 times
    const sessionId = newSessionId('batch');
    const { state, message } = phoneSignStart({ sessionId, digests });
    expect(message.q1).toHaveLength(50);
    expect(new Set(message.q1).size).toBe(50);
    const reply = cloudSignRespond(cloud, { sessionId, digests, step: 'awaiting-phone-commit' }, wire(message));
    expect(reply.r).toHaveLength(50);
    expect(new Set(reply.r).size).toBe(50); // fresh k on both sides gives fresh r
    const sigs = phoneSignFinish(phone, state, wire(reply));
    expect(new Set(sigs.map((s) => s.s.toString(16))).size).toBe(50);
  });

  it('refuses empty and oversized batches', () => {
    expect(() => phoneSignStart({ sessionId: 'x', digests: [] })).toThrow(code('INPUT_LENGTH'));
    const big = Array.from({ length: MAX_BATCH + 1 }, () => '00'.repeat(32));
    expect(() => phoneSignStart({ sessionId: 'x', digests: big })).toThrow(code('INPUT_LENGTH'));
    expect(() => phoneSignStart({ sessionId: 'x', digests: ['00'.repeat(31)] })).toThrow(code('INPUT_LENGTH'));
    expect(() => phoneSignStart({ sessionId: 'bad id with spaces', digests: ['00'.repeat(32)] })).toThrow(code('INPUT_INVALID'));
  });
});

describe('two-party SM2 signing: attacks and mistakes', () => {
  let shares: ReturnType<typeof runSm2Keygen>;
  beforeAll(() => {
    shares = runSm2Keygen();
  });

  /** Start a session and get an honest reply, for tampering. */
  function honest(digests = [toHex(new Uint8Array(randomBytes(32)))]) {
    const sessionId = newSessionId('atk');
    const { state, message } = phoneSignStart({ sessionId, digests });
    const reply = cloudSignRespond(shares.cloud, { sessionId, digests, step: 'awaiting-phone-commit' }, wire(message));
    return { sessionId, state, message, reply, digests };
  }

  function expectNoSecretsIn(err: unknown, ...secrets: string[]) {
    const text = JSON.stringify(err) + String((err as Error).message) + String((err as Error).stack);
    for (const s of secrets) expect(text).not.toContain(s);
  }

  it('a reply with s2 = 0 is refused before any arithmetic', () => {
    const { state, reply } = honest();
    const bad: Sm2SignReply = { ...reply, s2: ['0'.repeat(64)] };
    expect(() => phoneSignFinish(shares.phone, state, wire(bad))).toThrow(code('COSIGN_REPLY_INVALID'));
    expect(state.k1).toEqual([]);
  });

  it('a reply with s2 = 1, s3 = 1 (in range, malicious) is caught by the final check and leaks nothing', () => {
    const { state, reply } = honest();
    const k1 = scalarFromHex(state.k1[0]!);
    const d1 = scalarFromHex(shares.phone.d1);
    const r = scalarFromHex(reply.r[0]!);
    // what a phone without the final check would output
    const leakedS = scalarToHex(modN(d1 * (k1 + 1n) - r));
    const bad = { ...reply, s2: [scalarToHex(1n)], s3: [scalarToHex(1n)] };
    let caught: unknown;
    try {
      phoneSignFinish(shares.phone, state, wire(bad));
    } catch (err) {
      caught = err;
    }
    expect((caught as MedSignError).code).toBe('SIGNATURE_CHECK_FAILED');
    expectNoSecretsIn(caught, shares.phone.d1, leakedS, scalarToHex(k1));
  });

  it('the naive attack s2 = 0, s3 = 1 in raw form (s = d1 − r) is refused', () => {
    const { state, reply } = honest();
    const bad = { ...reply, s2: ['0'.repeat(64)], s3: [scalarToHex(1n)] };
    let caught: unknown;
    try {
      phoneSignFinish(shares.phone, state, wire(bad));
    } catch (err) {
      caught = err;
    }
    expect((caught as MedSignError).code).toBe('COSIGN_REPLY_INVALID');
    const r = scalarFromHex(reply.r[0]!);
    expectNoSecretsIn(caught, shares.phone.d1, scalarToHex(modN(scalarFromHex(shares.phone.d1) - r)));
  });

  it('r = 0, r = n and malformed values are refused', () => {
    for (const r of ['0'.repeat(64), N.toString(16), 'zz'.repeat(32), 42, null]) {
      const { state, reply } = honest();
      expect(() => phoneSignFinish(shares.phone, state, wire({ ...reply, r: [r] }))).toThrow(code('COSIGN_REPLY_INVALID'));
    }
    const { state, reply } = honest();
    expect(() => phoneSignFinish(shares.phone, state, wire({ ...reply, s3: [] }))).toThrow(code('COSIGN_REPLY_INVALID'));
  });

  it('an off-curve or identity Q1 is refused by the cloud', () => {
    const sessionId = newSessionId('atk');
    const digests = [toHex(new Uint8Array(randomBytes(32)))];
    const { message } = phoneSignStart({ sessionId, digests });
    const q = message.q1[0]!;
    const offCurve = q.slice(0, -1) + (q.endsWith('0') ? '1' : '0');
    for (const q1 of [offCurve, '00', pointToHex(Sm2Point.BASE).slice(0, 66)]) {
      const session = { sessionId, digests, step: 'awaiting-phone-commit' as const };
      expect(() => cloudSignRespond(shares.cloud, session, wire({ ...message, q1: [q1] }))).toThrow(code('POINT_INVALID'));
    }
  });

  it('a tampered digest: the cloud signed other documents than the phone showed', () => {
    const sessionId = newSessionId('atk');
    const shown = [toHex(new Uint8Array(randomBytes(32)))];
    const swapped = [toHex(new Uint8Array(randomBytes(32)))];
    const { state, message } = phoneSignStart({ sessionId, digests: shown });
    const reply = cloudSignRespond(shares.cloud, { sessionId, digests: swapped, step: 'awaiting-phone-commit' }, wire(message));
    expect(() => phoneSignFinish(shares.phone, state, wire(reply))).toThrow(code('SESSION_MISMATCH'));
    // and with the commitment forged to match, the final check still refuses
    const { state: s2, message: m2 } = phoneSignStart({ sessionId: newSessionId('atk'), digests: shown });
    const r2 = cloudSignRespond(shares.cloud, { sessionId: m2.sessionId, digests: swapped, step: 'awaiting-phone-commit' }, wire(m2));
    expect(() => phoneSignFinish(shares.phone, s2, wire({ ...r2, commitment: s2.commitment }))).toThrow(code('SIGNATURE_CHECK_FAILED'));
  });

  it('a wrong cloud share gives a signature the final check rejects', () => {
    const other = runSm2Keygen();
    const digests = [toHex(new Uint8Array(randomBytes(32)))];
    const sessionId = newSessionId('atk');
    const { state, message } = phoneSignStart({ sessionId, digests });
    const reply = cloudSignRespond(other.cloud, { sessionId, digests, step: 'awaiting-phone-commit' }, wire(message));
    expect(() => phoneSignFinish(shares.phone, state, wire(reply))).toThrow(code('SIGNATURE_CHECK_FAILED'));
  });

  it('replayed and mismatched steps are refused', () => {
    const { state, reply, message, sessionId, digests } = honest();
    // a reply for another session
    const other = honest();
    expect(() => phoneSignFinish(shares.phone, other.state, wire(reply))).toThrow(code('SESSION_MISMATCH'));
    // the same reply twice
    phoneSignFinish(shares.phone, state, wire(reply));
    expect(() => phoneSignFinish(shares.phone, state, wire(reply))).toThrow(code('SESSION_REPLAY'));
    // the cloud answers a session once
    const session = { sessionId, digests, step: 'awaiting-phone-commit' as 'awaiting-phone-commit' | 'answered' };
    cloudSignRespond(shares.cloud, session, wire(message));
    expect(() => cloudSignRespond(shares.cloud, session, wire(message))).toThrow(code('SESSION_REPLAY'));
    // a commit for another session, a wrong message type, a wrong count
    const fresh = { sessionId, digests, step: 'awaiting-phone-commit' as const };
    expect(() => cloudSignRespond(shares.cloud, fresh, wire({ ...message, sessionId: 'other' }))).toThrow(code('SESSION_MISMATCH'));
    expect(() => cloudSignRespond(shares.cloud, { ...fresh }, wire({ ...message, type: 'sm2-keygen/phone-hello' }))).toThrow(code('SESSION_MISMATCH'));
    expect(() => cloudSignRespond(shares.cloud, { ...fresh }, wire({ ...message, q1: [message.q1[0], message.q1[0]] }))).toThrow(code('SESSION_MISMATCH'));
    expect(() => cloudSignRespond(shares.cloud, { ...fresh }, 'not an object')).toThrow(code('INPUT_INVALID'));
  });
});
