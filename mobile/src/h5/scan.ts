/**
 * Scan a QR code with the camera, where the browser allows it (getUserMedia; a secure context:
 * https or localhost). Frames go through jsQR (pure JS), so it works without BarcodeDetector,
 * which Chromium on Linux and some Android WebViews lack.
 */
import * as jsQRModule from 'jsqr';
import { MobileError } from '../errors.js';

// jsqr is a CommonJS bundle whose types say `export default`: take whichever the bundler gives
type Decode = (data: Uint8ClampedArray, width: number, height: number, options?: { inversionAttempts?: 'dontInvert' }) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

export const cameraAvailable = (): boolean => typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;

export async function scanQr(video: HTMLVideoElement, signal: AbortSignal, timeoutMs = 60_000): Promise<string> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  } catch {
    throw new MobileError('CAMERA_UNAVAILABLE', '无法打开摄像头，请允许使用摄像头或粘贴二维码内容', 'the camera cannot be opened: allow it, or paste the QR payload');
  }
  try {
    video.srcObject = stream;
    await video.play();
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (signal.aborted) throw new MobileError('SCAN_CANCELLED', '已取消扫描', 'scanning cancelled');
      if (video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const found = jsQR(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height, { inversionAttempts: 'dontInvert' });
        if (found?.data) return found.data;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new MobileError('SCAN_TIMEOUT', '未识别到二维码，请靠近一些或粘贴二维码内容', 'no QR code found: move closer, or paste the payload');
  } finally {
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  }
}
