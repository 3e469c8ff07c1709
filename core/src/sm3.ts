/**
 * SM3 hash (GB/T 32905-2016 / GM/T 0004-2012) in plain TypeScript, for runtimes
 * without an SM3 in their crypto library (browsers: WebCrypto has none).
 * In Node the runtime uses OpenSSL's SM3 instead; tests check both against the
 * standard's vectors and against each other.
 */

// §4.1 initial value IV
const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

const rotl = (x: number, n: number): number => ((x << (n & 31)) | (x >>> ((32 - (n & 31)) & 31))) >>> 0;
// §4.3 permutation functions P0, P1
const P0 = (x: number): number => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0;
const P1 = (x: number): number => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0;

// §4.2 constants T_j, pre-rotated by j (the compression function uses T_j <<< j)
const T_ROT = Array.from({ length: 64 }, (_, j) => rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j));

/** §5.3.2 compression function CF(V, B) on one 64-byte block, updating `v` in place. */
function compress(v: Uint32Array, block: Uint8Array, offset: number, w: Uint32Array): void {
  // §5.3.2 message expansion: W0..W67, W'_j = W_j ^ W_{j+4}
  for (let j = 0; j < 16; j++) {
    const o = offset + 4 * j;
    w[j] = ((block[o]! << 24) | (block[o + 1]! << 16) | (block[o + 2]! << 8) | block[o + 3]!) >>> 0;
  }
  for (let j = 16; j < 68; j++) {
    w[j] = (P1(w[j - 16]! ^ w[j - 9]! ^ rotl(w[j - 3]!, 15)) ^ rotl(w[j - 13]!, 7) ^ w[j - 6]!) >>> 0;
  }
  let [a, b, c, d, e, f, g, h] = v as unknown as [number, number, number, number, number, number, number, number];
  for (let j = 0; j < 64; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + T_ROT[j]!) >>> 0, 7);
    const ss2 = (ss1 ^ a12) >>> 0;
    // FF_j and GG_j: XOR for j < 16, majority / choose afterwards
    const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
    const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
    const tt1 = (ff + d + ss2 + (w[j]! ^ w[j + 4]!)) >>> 0;
    const tt2 = (gg + h + ss1 + w[j]!) >>> 0;
    d = c;
    c = rotl(b, 9);
    b = a;
    a = tt1;
    h = g;
    g = rotl(f, 19);
    f = e;
    e = P0(tt2);
  }
  v[0]! ^= a; v[1]! ^= b; v[2]! ^= c; v[3]! ^= d;
  v[4]! ^= e; v[5]! ^= f; v[6]! ^= g; v[7]! ^= h;
}

/** Incremental SM3, so large inputs (files) can be hashed in chunks. */
export class Sm3 {
  private readonly v = Uint32Array.from(IV);
  private readonly buffer = new Uint8Array(64);
  private readonly w = new Uint32Array(68);
  private buffered = 0;
  private length = 0; // bytes so far; Number is exact up to 2^53 bytes
  private finished = false;

  update(data: Uint8Array): this {
    if (this.finished) throw new Error('SM3: update() after digest()');
    let i = 0;
    this.length += data.length;
    if (this.buffered > 0) {
      const take = Math.min(64 - this.buffered, data.length);
      this.buffer.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      i = take;
      if (this.buffered === 64) {
        compress(this.v, this.buffer, 0, this.w);
        this.buffered = 0;
      }
    }
    for (; i + 64 <= data.length; i += 64) compress(this.v, data, i, this.w);
    if (i < data.length) {
      this.buffer.set(data.subarray(i), 0);
      this.buffered = data.length - i;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('SM3: digest() called twice');
    this.finished = true;
    // §5.2 padding: 1 bit, zeros, then the 64-bit big-endian bit length
    const bitLength = BigInt(this.length) * 8n;
    const padLength = this.buffered < 56 ? 56 - this.buffered : 120 - this.buffered;
    const tail = new Uint8Array(padLength + 8);
    tail[0] = 0x80;
    for (let k = 0; k < 8; k++) tail[padLength + k] = Number((bitLength >> BigInt(56 - 8 * k)) & 0xffn);
    this.length -= tail.length; // padding is not message length
    this.finished = false;
    this.update(tail);
    this.finished = true;
    const out = new Uint8Array(32);
    for (let k = 0; k < 8; k++) {
      const x = this.v[k]!;
      out[4 * k] = x >>> 24;
      out[4 * k + 1] = (x >>> 16) & 255;
      out[4 * k + 2] = (x >>> 8) & 255;
      out[4 * k + 3] = x & 255;
    }
    return out;
  }
}

/** One-shot pure-TS SM3. */
export function sm3Portable(data: Uint8Array): Uint8Array {
  return new Sm3().update(data).digest();
}
