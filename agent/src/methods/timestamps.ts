/** RFC 3161 timestamps: createTimeStampRequest, createTimeStampResponse (the cloud TSA), verifyTimeStamp, getTimeStampInfo. */
import { z } from 'zod';
import { createTimeStampRequest, getTimeStampInfo, verifyTimeStamp } from '@medsign/core';
import type { AgentContext } from '../context.js';
import { defineMethod, type AnyMethod } from '../registry.js';
import { b64, b64of, bytes, input, inputBytes } from './params.js';

const Token = b64(256 * 1024);

export function timestampMethods(a: AgentContext): AnyMethod[] {
  return [
    defineMethod({
      name: 'createTimeStampRequest',
      summary: '时间戳请求 (SOF_CreateTimeStampRequest): a DER TimeStampReq over data/text, with a fresh nonce and certReq',
      params: z.object({ ...input, hashAlgorithm: z.enum(['sm3', 'sha256', 'sha1']).optional() }).strict(),
      result: z.object({ request: z.string() }),
      handler: (p) => ({ request: b64of(createTimeStampRequest({ data: inputBytes(p), hash: p.hashAlgorithm ?? 'sha256' })) }),
    }),
    defineMethod({
      name: 'createTimeStampResponse',
      summary: '时间戳应答 (SOF_CreateTimeStampResponse): the cloud TSA’s TimeStampResp to a request (SM3 requests get the SM2 TSA)',
      params: z.object({ request: b64(16 * 1024) }).strict(),
      result: z.object({ response: z.string() }),
      handler: async (p) => ({ response: b64of(await a.cloud.request<Uint8Array>('POST', '/pki/tsa', { binary: { type: 'application/timestamp-query', data: bytes(p.request) }, raw: true })) }),
    }),
    defineMethod({
      name: 'verifyTimeStamp',
      summary: '验证时间戳 (SOF_VerifyTimeStamp): the token’s signature and TSA certificate, its imprint against data/text, and the nonce when the request is given',
      params: z.object({ response: Token, ...input, request: b64(16 * 1024).optional() }).strict(),
      result: z.object({ valid: z.boolean(), failure: z.string().optional(), genTime: z.string().optional(), serialNumber: z.string().optional() }),
      handler: (p) => {
        const data = p.data !== undefined || p.text !== undefined ? inputBytes(p) : undefined;
        const v = verifyTimeStamp(bytes(p.response), { ...(data ? { data } : {}), ...(p.request ? { request: bytes(p.request) } : {}) });
        return { valid: v.valid, ...(v.failure ? { failure: v.failure } : {}), ...(v.info ? { genTime: v.info.genTime.toISOString(), serialNumber: v.info.serialNumber } : {}) };
      },
    }),
    defineMethod({
      name: 'getTimeStampInfo',
      summary: '时间戳信息 (SOF_GetTimeStampInfo): one SGD_TS_* field of a response or token',
      params: z.object({ response: Token, type: z.number().int().min(0).max(0xffff) }).strict(),
      result: z.object({ info: z.string() }),
      handler: (p) => ({ info: getTimeStampInfo(bytes(p.response), p.type) }),
    }),
  ];
}
