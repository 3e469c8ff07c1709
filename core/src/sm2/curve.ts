/**
 * The SM2 recommended curve (GB/T 32918.5-2017 §4 / GM/T 0003.5-2012 §4), as a
 * short Weierstrass curve y² = x³ + ax + b over F_p, built with @noble/curves'
 * generic `weierstrass()`. Only the point arithmetic comes from noble; the SM2
 * equations (Z_A, sign, verify, co-signing) are ours, because noble's `ecdsa()`
 * is ECDSA, not SM2.
 */
import { weierstrass, type WeierstrassOpts, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';

export const SM2_PARAMS: WeierstrassOpts<bigint> = Object.freeze({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

/** Point constructor of the SM2 curve. */
export const Sm2Point = weierstrass<bigint>(SM2_PARAMS);
export type Sm2Point = WeierstrassPoint<bigint>;

export const N = SM2_PARAMS.n;
/** Scalars and field elements are 32 bytes. */
export const SCALAR_BYTES = 32;

// Precompute the fixed-base window table once: k·G is the hot path of the pure-TS runtime.
Sm2Point.BASE.precompute(8);
