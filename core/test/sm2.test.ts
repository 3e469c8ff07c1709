import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../src/encoding.js';
import { useRuntime } from '../src/runtime/current.js';
import { nodeRuntime } from '../src/runtime/node.js';
import { Sm2Point, N } from '../src/sm2/curve.js';
import { generateSm2KeyPair, sm2PrivateKeyFromPkcs8, sm2PrivateKeyToPkcs8, sm2PublicKeyFromSpki, sm2PublicKeyToSpki } from '../src/sm2/keys.js';
import { decodePoint } from '../src/sm2/point.js';
import {
  decodeSm2SignatureDer,
  decodeSm2SignatureRaw,
  encodeSm2SignatureDer,
  encodeSm2SignatureRaw,
  sm2Sign,
  sm2SignDigestWithNonce,
  sm2Verify,
  sm2VerifyDigest,
} from '../src/sm2/signature.js';
import { computeZa, sm2Digest } from '../src/sm2/za.js';
import { RUNTIMES } from './runtimes.js';

// GB/T 32918.5-2017 / GM/T 0003.5-2012 Appendix A: signature example on the recommended curve
const STD = {
  d: 0x3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8n,
  px: '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020',
  py: 'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
  id: '1234567812345678',
  message: 'message digest',
  za: 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3',
  e: 'f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640',
  k: 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n,
  r: 0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3n,
  s: 0xb1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aan,
};

afterAll(() => useRuntime(nodeRuntime));

for (const [name, rt] of RUNTIMES) {
  describe(`SM2 on the ${name} runtime`, () => {
    it('reproduces the standard worked example: P, Z_A, e, r, s', () => {
      useRuntime(rt);
      const P = rt.sm2.mulBase(STD.d);
      expect(P.toAffine().x.toString(16).padStart(64, '0')).toBe(STD.px);
      expect(P.toAffine().y.toString(16).padStart(64, '0')).toBe(STD.py);
      expect(toHex(computeZa(P, STD.id))).toBe(STD.za);
      const e = sm2Digest(P, utf8(STD.message), STD.id);
      expect(toHex(e)).toBe(STD.e);
      const sig = sm2SignDigestWithNonce(STD.d, e, STD.k);
      expect(sig).toEqual({ r: STD.r, s: STD.s });
      expect(sm2VerifyDigest(P, e, { r: STD.r, s: STD.s })).toBe(true);
    });

    it('signs and verifies random messages, and rejects tampering', () => {
      useRuntime(rt);
      for (let i = 0; i < 20; i++) {
        const { privateKey, publicKey } = generateSm2KeyPair();
        const msg = rt.randomBytes(1 + i * 13);
        const sig = sm2Sign(privateKey, publicKey, msg);
        expect(sm2Verify(publicKey, msg, sig)).toBe(true);
        const tampered = msg.slice();
        tampered[0]! ^= 1;
        expect(sm2Verify(publicKey, tampered, sig)).toBe(false);
        expect(sm2Verify(publicKey, msg, { r: sig.r, s: (sig.s + 1n) % N })).toBe(false);
        expect(sm2Verify(publicKey, msg, sig, { userId: 'ALICE123@YAHOO.COM' })).toBe(false);
      }
    });
  });
}

describe('SM2 signature encodings', () => {
  const sig = { r: STD.r, s: STD.s };

  it('DER is SEQUENCE{INTEGER r, INTEGER s} with minimal integers', () => {
    const der = encodeSm2SignatureDer(sig);
    // r and s both have the top bit set, so each INTEGER gets a leading 00: 30 46 02 21 00 … 02 21 00 …
    expect(toHex(der.subarray(0, 5))).toBe('3046022100');
    expect(decodeSm2SignatureDer(der)).toEqual(sig);
    const small = { r: 1n, s: 0x80n };
    expect(toHex(encodeSm2SignatureDer(small))).toBe('300702010102020080');
  });

  it('raw is 64 bytes r‖s', () => {
    const raw = encodeSm2SignatureRaw(sig);
    expect(raw.length).toBe(64);
    expect(decodeSm2SignatureRaw(raw)).toEqual(sig);
  });

  it('refuses non-canonical, truncated and out-of-range DER', () => {
    const der = encodeSm2SignatureDer(sig);
    const bad = [
      der.subarray(0, der.length - 1), // truncated
      Uint8Array.from([...der, 0]), // trailing byte
      fromHex('30080202000102020080'), // non-minimal INTEGER 00 01
      encodeSm2SignatureDer({ r: N, s: 1n }), // r = n
      fromHex('3006020100020101'), // r = 0
      new Uint8Array(0),
    ];
    for (const b of bad) expect(() => decodeSm2SignatureDer(b), toHex(b)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    expect(() => decodeSm2SignatureRaw(new Uint8Array(63))).toThrow(expect.objectContaining({ code: 'INPUT_LENGTH' }));
  });
});

describe('SM2 keys', () => {
  it('round-trip through SPKI and PKCS#8', () => {
    const { privateKey, publicKey } = generateSm2KeyPair();
    expect(sm2PublicKeyFromSpki(sm2PublicKeyToSpki(publicKey)).equals(publicKey)).toBe(true);
    const back = sm2PrivateKeyFromPkcs8(sm2PrivateKeyToPkcs8(privateKey, publicKey));
    expect(back.privateKey).toBe(privateKey);
  });

  it('refuses off-curve, identity and malformed points', () => {
    const G = Sm2Point.BASE.toBytes(false);
    const off = G.slice();
    off[64]! ^= 1;
    expect(() => decodePoint(off)).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
    expect(() => decodePoint(new Uint8Array([0]))).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
    expect(() => decodePoint(G.subarray(0, 64))).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
    // x = p is outside the field
    const bigX = Uint8Array.from([4, ...fromHex('fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff'), ...G.subarray(33)]);
    expect(() => decodePoint(bigX)).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
  });
});
