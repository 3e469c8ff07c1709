/** signData, signHash, signBatch, signMessage, signFile, getDeferredResult. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { HASH_LENGTH, SIGNATURE_ALGORITHMS, computeZa, createHasher, type PublicKey, type SignatureAlgorithm } from '@medsign/core';
import type { AgentContext } from '../context.js';
import { Errors, toAgentError, type AgentError } from '../errors.js';
import type { DeferredItem } from '../journal.js';
import { defineMethod, type AnyMethod, type CallContext } from '../registry.js';
import type { SignOutput, SignRequest } from '../signing.js';
import type { User } from '../state.js';
import { App, CertId, Data, Profile, SignMethod, Summary, b64, b64of, bytes, input, inputBytes } from './params.js';

const MAX_CONCURRENT_SIGNS = 64;

const common = {
  certId: CertId,
  /** false: return the operationId and verification code at once; poll getStatus */
  wait: z.boolean().optional(),
  app: App.optional(),
  summary: Summary.optional(),
  signMethod: SignMethod.optional(),
};
const Pending = z.object({ operationId: z.string(), status: z.literal('PENDING'), verificationCode: z.string() });
const Deferred = z.object({ deferred: z.literal(true), ticket: z.string() });

const isNative = (client: string) => client === 'native' || client.startsWith('native:');
const appName = (client: string, app: string | undefined): string =>
  app ?? (client === 'native' ? '本机应用 (native app)' : isNative(client) ? client.slice('native:'.length) : client.replace(/^https?:\/\//, '').slice(0, 64));

/** The shape every signing method shares: resolve the user, sign in one session, report, wait or not. */
async function signCall<T extends Record<string, unknown>>(
  a: AgentContext,
  ctx: CallContext,
  method: string,
  p: { certId: string; wait?: boolean | undefined; app?: string | undefined; signMethod?: number | undefined },
  build: (user: User, alg: SignatureAlgorithm) => SignRequest[] | Promise<SignRequest[]>,
  shape: (outs: SignOutput[]) => T,
): Promise<T | z.infer<typeof Pending>> {
  const user = a.signing.user(p.certId);
  const alg = a.signing.algorithmFor(user, ctx.client, p.signMethod);
  if (a.ops.pending().length >= MAX_CONCURRENT_SIGNS) throw Errors.busy();
  const requests = await build(user, alg);
  const op = a.ops.create('sign', method, ctx.client, requests.length, user.certId);
  let failure: AgentError | undefined;
  const done = a.signing.run(op, user, alg, requests, appName(ctx.client, p.app), ctx.emit).then(
    (outs) => {
      const result = shape(outs);
      a.ops.finish(op, result);
      return result;
    },
    (err: unknown) => {
      const e = (failure = toAgentError(err));
      a.ops.fail(op, e);
      a.log.info({ operationId: op.operationId, method, code: e.code }, 'signing failed');
      throw e;
    },
  );
  if (p.wait !== false) return done;
  done.catch(() => undefined);
  await a.ops.whenShown(op);
  if (failure) throw failure;
  return { operationId: op.operationId, status: 'PENDING' as const, verificationCode: op.verificationCode! };
}

/** Files by path are for native clients: a web page must not probe or sign the workstation's files. */
function nativeOnly(ctx: CallContext): never | undefined {
  if (!isNative(ctx.client)) throw Errors.fileAccessDenied();
  return undefined;
}

/** The digest of a file, streamed: e = SM3(Z_A ‖ file) for SM2, hash(file) for RSA. */
async function fileDigest(path: string, key: PublicKey, alg: SignatureAlgorithm): Promise<Uint8Array> {
  if (!isAbsolute(path)) throw Errors.badParams({ zh: 'path 必须是绝对路径', en: 'path must be absolute' });
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch {
    throw Errors.fileError({ zh: '文件不存在或不是普通文件', en: 'no such regular file' });
  }
  const h = createHasher(SIGNATURE_ALGORITHMS[alg].hash);
  if (key.algorithm === 'sm2') h.update(computeZa(key.point));
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  } catch {
    throw Errors.fileError();
  }
  return h.digest();
}

export function signingMethods(a: AgentContext): AnyMethod[] {
  const deferrable = (p: { deferred?: boolean | undefined }) => a.signing.shouldDefer(p.deferred);
  const deferItem = (user: User, alg: SignatureAlgorithm, ctx: CallContext, p: { app?: string | undefined; summary?: string | undefined }, rest: Pick<DeferredItem, 'method'> & Partial<DeferredItem>) =>
    a.signing.defer({ certId: user.certId, alg, app: appName(ctx.client, p.app), summary: p.summary ?? `补签 ${rest.method}`, ...rest });
  const Deferral = { deferred: z.boolean().optional() };

  return [
    defineMethod({
      name: 'signData',
      summary: '数据签名 (SOF_SignData): a raw signature over data/text — SM2 DER SEQUENCE{r,s} over SM3(Z_A ‖ data) with ID 1234567812345678, or RSA PKCS#1 v1.5. `deferred: true` journals it when no cloud is reachable (补签)',
      params: z.object({ ...common, ...input, ...Deferral }).strict(),
      result: z.union([z.object({ signature: z.string() }), Pending, Deferred]),
      handler: async (p, ctx) => {
        const data = inputBytes(p);
        const user = a.signing.user(p.certId);
        const alg = a.signing.algorithmFor(user, ctx.client, p.signMethod);
        if (deferrable(p)) return deferItem(user, alg, ctx, p, { method: 'signData', digest: Buffer.from(a.signing.rawDigest(user, alg, data)).toString('hex') });
        return signCall(a, ctx, 'signData', p, () => [{ kind: 'raw', digest: a.signing.rawDigest(user, alg, data), summary: p.summary ?? `签名数据 ${data.length} 字节` }], (o) => o[0] as { signature: string });
      },
    }),
    defineMethod({
      name: 'signHash',
      summary: '摘要签名 (SOF_SignHashData): sign a precomputed digest. For SM2 it must be e = SM3(Z_A ‖ M) (32 bytes); for RSA the hash of the sign method in force, or of `signMethod`',
      params: z.object({ ...common, hash: b64(128), ...Deferral }).strict(),
      result: z.union([z.object({ signature: z.string() }), Pending, Deferred]),
      handler: async (p, ctx) => {
        const digest = bytes(p.hash);
        const user = a.signing.user(p.certId);
        const alg = a.signing.algorithmFor(user, ctx.client, p.signMethod);
        const need = HASH_LENGTH[SIGNATURE_ALGORITHMS[alg].hash];
        if (digest.length !== need) throw Errors.badParams({ zh: `摘要应为 ${need} 字节`, en: `the digest must be ${need} bytes for ${alg}` });
        if (deferrable(p)) return deferItem(user, alg, ctx, p, { method: 'signHash', digest: Buffer.from(digest).toString('hex') });
        return signCall(a, ctx, 'signHash', p, () => [{ kind: 'raw', digest, summary: p.summary ?? '签名摘要' }], (o) => o[0] as { signature: string });
      },
    }),
    defineMethod({
      name: 'signMessage',
      summary: 'PKCS#7/CMS 签名 (SOF_SignMessage): SignedData, attached or `detached`, `profile` rfc5652 (openssl cms) or gmt0010 (GM/T 0010 OIDs), optional RFC 3161 `timestamp`, optional `compact` record',
      params: z.object({ ...common, ...input, detached: z.boolean().optional(), profile: Profile.optional(), timestamp: z.boolean().optional(), compact: z.boolean().optional(), ...Deferral }).strict(),
      result: z.union([z.object({ signedMessage: z.string(), compact: z.string().optional() }), Pending, Deferred]),
      handler: async (p, ctx) => {
        const content = inputBytes(p);
        const user = a.signing.user(p.certId);
        const alg = a.signing.algorithmFor(user, ctx.client, p.signMethod);
        const opts = { detached: p.detached ?? false, profile: p.profile ?? ('rfc5652' as const), timestamp: p.timestamp ?? false };
        if (deferrable(p)) return deferItem(user, alg, ctx, p, { method: 'signMessage', message: { content: b64of(content), ...opts, compact: p.compact ?? false } });
        return signCall(
          a,
          ctx,
          'signMessage',
          p,
          () => [{ kind: 'cms', content, ...opts, compact: p.compact ?? false, summary: p.summary ?? `签名文档 ${content.length} 字节` }],
          (o) => o[0] as { signedMessage: string; compact?: string },
        );
      },
    }),
    defineMethod({
      name: 'signBatch',
      summary: '批量签名: up to 1,000 items with one phone approval. `format` raw (signature), cms or compact (signedMessage + compact record); items give data, text or (raw only) a precomputed hash, each with an optional summary the phone shows. Progress events go to WebSocket callers',
      params: z
        .object({
          ...common,
          items: z
            .array(z.object({ data: Data.optional(), text: z.string().max(16 * 1024 * 1024).optional(), hash: b64(128).optional(), summary: Summary.optional() }).strict())
            .min(1)
            .max(1000),
          format: z.enum(['raw', 'cms', 'compact']).optional(),
          detached: z.boolean().optional(),
          profile: Profile.optional(),
          timestamp: z.boolean().optional(),
        })
        .strict(),
      result: z.union([z.object({ results: z.array(z.union([z.object({ signature: z.string() }), z.object({ signedMessage: z.string(), compact: z.string().optional() })])) }), Pending]),
      handler: async (p, ctx) => {
        if (p.items.length > a.config.maxBatch) throw Errors.badParams({ zh: `每批最多 ${a.config.maxBatch} 条`, en: `at most ${a.config.maxBatch} items per batch` });
        const format = p.format ?? 'raw';
        return signCall(
          a,
          ctx,
          'signBatch',
          p,
          (user, alg) =>
            p.items.map((it, i): SignRequest => {
              const summary = it.summary ?? `${p.summary ?? '批量签名'} ${i + 1}/${p.items.length}`;
              if (it.hash !== undefined) {
                if (format !== 'raw' || it.data !== undefined || it.text !== undefined) throw Errors.badParams({ zh: `第 ${i + 1} 条：hash 只用于 raw 格式，且不能与 data/text 同给`, en: `item ${i + 1}: hash is for format raw only, and alone` });
                const digest = bytes(it.hash);
                if (digest.length !== HASH_LENGTH[SIGNATURE_ALGORITHMS[alg].hash]) throw Errors.badParams({ zh: `第 ${i + 1} 条摘要长度错误`, en: `item ${i + 1}: wrong digest length` });
                return { kind: 'raw', digest, summary };
              }
              const data = inputBytes(it, `items[${i}].data/text`);
              if (format === 'raw') return { kind: 'raw', digest: a.signing.rawDigest(user, alg, data), summary };
              return { kind: 'cms', content: data, detached: p.detached ?? false, profile: p.profile ?? 'rfc5652', timestamp: p.timestamp ?? false, compact: format === 'compact', summary };
            }),
          (outs) => ({ results: outs }),
        );
      },
    }),
    defineMethod({
      name: 'signFile',
      summary: '文件签名 (SOF_SignFile): a raw signature over a file on this workstation (absolute path), hashed as a stream, so size is no limit. Native clients only (no browser Origin)',
      params: z.object({ ...common, path: z.string().min(1).max(4096) }).strict(),
      result: z.union([z.object({ signature: z.string() }), Pending]),
      handler: (p, ctx) => nativeOnly(ctx) ?? signCall(a, ctx, 'signFile', p, async (user, alg) => [{ kind: 'raw', digest: await fileDigest(p.path, user.cert.publicKey, alg), summary: p.summary ?? `签名文件 ${p.path.split(/[\\/]/).pop()}`.slice(0, 200) }], (o) => o[0] as { signature: string }),
    }),
    defineMethod({
      name: 'getDeferredResult',
      summary: '补签结果: the state of a deferred-signing ticket, with its result once signed',
      params: z.object({ ticket: z.string().uuid() }).strict(),
      result: z.object({ ticket: z.string(), status: z.enum(['PENDING', 'OK', 'FAILED']), createdAt: z.string().optional(), finishedAt: z.string().optional(), result: z.record(z.string(), z.unknown()).optional(), error: z.unknown().optional() }),
      handler: (p) => {
        const r = a.journal.lookup(p.ticket);
        if (!r) throw Errors.ticketNotFound();
        if (r.status === 'PENDING') return { ticket: p.ticket, status: 'PENDING' as const, createdAt: r.item.createdAt };
        return { ticket: p.ticket, status: r.status, finishedAt: r.outcome.finishedAt, ...(r.outcome.result ? { result: r.outcome.result } : {}), ...(r.outcome.error ? { error: r.outcome.error } : {}) };
      },
    }),
  ];
}

export { fileDigest, nativeOnly };
