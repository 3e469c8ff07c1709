/** The activation QR code, drawn on a canvas from the qrcode package's encoder (no images fetched, nothing inline). */
import QRCode from 'qrcode';

export function qrCanvas(text: string, scale = 4): HTMLCanvasElement {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4; // ISO/IEC 18004 §6.3.8: four modules of quiet zone
  const side = (size + quiet * 2) * scale;
  const c = document.createElement('canvas');
  c.width = c.height = side;
  const g = c.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, side, side);
  g.fillStyle = '#000';
  for (let r = 0; r < size; r++) for (let col = 0; col < size; col++) if (data[r * size + col]) g.fillRect((col + quiet) * scale, (r + quiet) * scale, scale, scale);
  c.dataset.modules = String(size);
  return c;
}
