/** Device authentication: every phone request after enrollment is signed by its device key. */
import { sm2PublicKeyFromSpki, verifyDeviceRequest, DEVICE_AUTH_WINDOW_MS } from '@medsign/core';
import { Errors } from './errors.js';
import type { Store } from '../store/repositories.js';

export class DeviceAuthService {
  constructor(private readonly store: Store) {}

  /** The device id, or UNAUTHORIZED. Each nonce is accepted once (replays are refused). */
  authenticate(
    method: string,
    pathWithQuery: string,
    body: Uint8Array,
    headers: { device: string | undefined; time: string | undefined; nonce: string | undefined; signature: string | undefined },
    now = Date.now(),
  ): string {
    const { device, time, nonce, signature } = headers;
    if (!device || !time || !nonce || !signature) throw Errors.unauthorized({ en: 'device signature headers missing', zh: '缺少设备签名' });
    const record = this.store.devices.get(device);
    if (!record || record.status !== 'active') throw Errors.unauthorized({ en: 'unknown device', zh: '设备未登记' });
    if (!verifyDeviceRequest(sm2PublicKeyFromSpki(record.publicKey), { time, nonce, signature }, method, pathWithQuery, body, now)) {
      throw Errors.unauthorized({ en: 'device signature invalid or outside the time window', zh: '设备签名无效或时间不符' });
    }
    const fresh = this.store.transaction(() => this.store.devices.useNonce(device, nonce, now + 2 * DEVICE_AUTH_WINDOW_MS, now));
    if (!fresh) throw Errors.unauthorized({ en: 'replayed request', zh: '重复的请求' });
    return device;
  }
}
