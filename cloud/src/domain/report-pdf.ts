/**
 * The monthly summary report (月度报表) as a PDF: hospital, period, certificate counts, the
 * signatures per day (bar chart), per department and per app (horizontal bars) and the top
 * signers. Drawn with pdfkit's vector primitives; the text is set in a CJK TrueType font from
 * a Debian package (WenQuanYi Micro Hei: `apt-get install fonts-wqy-microhei`) embedded as a
 * subset with its ToUnicode map, so `pdftotext` extracts the Chinese.
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { CloudError } from './errors.js';
import type { MonthlySummary, SignatureRow } from './reports.js';

/** [path, family inside the collection] — the first that exists is used; MEDSIGN_CJK_FONT overrides. */
const FONT_CANDIDATES: [string, string | undefined][] = [
  ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'WenQuanYiMicroHei'],
  ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', 'WenQuanYiZenHei'],
  ['/usr/share/fonts/truetype/arphic/uming.ttc', 'AR-PL-UMing-CN'],
];

export function findCjkFont(env: NodeJS.ProcessEnv = process.env): [string, string | undefined] {
  const own = env.MEDSIGN_CJK_FONT;
  if (own) {
    if (!existsSync(own)) throw fontMissing(`MEDSIGN_CJK_FONT=${own} does not exist`);
    return [own, env.MEDSIGN_CJK_FONT_FAMILY || undefined];
  }
  const found = FONT_CANDIDATES.find(([p]) => existsSync(p));
  if (!found) throw fontMissing('none of the known CJK fonts is installed');
  return found;
}

const fontMissing = (why: string) =>
  new CloudError(
    'REPORT_FONT_MISSING',
    503,
    '找不到中文字体，无法生成 PDF 报表：请安装 Debian 软件包 fonts-wqy-microhei（apt-get install fonts-wqy-microhei），或用 MEDSIGN_CJK_FONT 指定 TTF/TTC 字体文件',
    `no CJK font for the PDF report (${why}): install the Debian package fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or point MEDSIGN_CJK_FONT at a TTF/TTC file`,
  );

const PAGE = { width: 595.28, height: 841.89, margin: 48 }; // A4, points
const BLUE = '#2f6db5';
const GREY = '#888888';

export function renderMonthlyPdf(s: MonthlySummary, meta: { hospital: string; generatedAt: string; utcOffset: string }): Promise<Buffer> {
  const [fontPath, family] = findCjkFont();
  const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, info: { Title: `${meta.hospital} ${s.month} 电子签名月度报表`, Author: 'MedSign', Creator: 'MedSign cloud' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', fontPath, family);
  doc.font('cjk');
  const left = PAGE.margin;
  const width = PAGE.width - 2 * PAGE.margin;

  doc.fontSize(18).fillColor('black').text(meta.hospital, left, PAGE.margin, { width });
  doc.fontSize(14).text(`电子签名月度报表 (Monthly e-signature report) ${s.month}`, { width });
  doc.fontSize(9).fillColor(GREY).text(`统计周期 (period): ${s.month}-01 至 ${s.lastDay} (UTC${meta.utcOffset})    生成时间 (generated): ${meta.generatedAt}`, { width });
  doc.moveDown(0.8);

  const c = s.certificates;
  const t = s.totals;
  heading(doc, '证书 (Certificates)');
  lines(doc, [
    `新签发证书 (issued): ${c.issued}`,
    `其中更新 (renewed): ${c.renewed}`,
    `吊销证书 (revoked): ${c.revoked}`,
    `冻结证书 (held): ${c.held}`,
    `本月到期 (expired): ${c.expired}`,
    `30 天内到期 (expiring within 30 days): ${c.expiringSoon}`,
  ]);
  heading(doc, '签名 (Signatures)');
  lines(doc, [`签名总数 (signatures): ${t.signatures}`, `签名会话 (sessions): ${t.sessions}`, `用户拒绝 (refused): ${t.refused}`, `超时 (timed out): ${t.timeout}`, `其他失败 (other failures): ${t.failed}`]);

  heading(doc, '每日签名数 (Signatures per day)');
  dayChart(doc, s.perDay, left, doc.y + 4, width, 150);

  heading(doc, '各科室签名数 (Signatures per department)');
  barList(doc, s.perDepartment.map((r) => [r.label, r.signatures]), left, width);
  heading(doc, '各应用签名数 (Signatures per application)');
  barList(doc, s.perApp.map((r) => [r.label, r.signatures]), left, width);
  heading(doc, '签名最多的用户 (Top signers)');
  topTable(doc, s.topSigners, left, width);
  doc.end();
  return done;
}

function ensureSpace(doc: PDFKit.PDFDocument, h: number): void {
  if (doc.y + h > PAGE.height - PAGE.margin) doc.addPage();
}

function heading(doc: PDFKit.PDFDocument, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.6).fontSize(12).fillColor(BLUE).text(text, PAGE.margin, doc.y).fillColor('black').moveDown(0.2);
}

function lines(doc: PDFKit.PDFDocument, items: string[]): void {
  doc.fontSize(10).fillColor('black');
  for (const l of items) doc.text(l, PAGE.margin + 8, doc.y);
}

/** Vertical bars, one per day, with a y axis scaled to a round maximum. */
function dayChart(doc: PDFKit.PDFDocument, days: { day: string; signatures: number }[], x: number, y: number, w: number, h: number): void {
  ensureSpace(doc, h + 30);
  y = doc.y + 4;
  const max = niceMax(Math.max(1, ...days.map((d) => d.signatures)));
  const axisX = x + 32;
  const plotW = w - 40;
  const slot = plotW / days.length;
  doc.lineWidth(0.5).strokeColor(GREY);
  doc.moveTo(axisX, y).lineTo(axisX, y + h).lineTo(axisX + plotW, y + h).stroke();
  doc.fontSize(7).fillColor(GREY);
  for (const f of [0, 0.5, 1]) {
    const ly = y + h - f * h;
    doc.text(String(Math.round(max * f)), x, ly - 3, { width: 28, align: 'right', lineBreak: false });
    if (f > 0) doc.moveTo(axisX, ly).lineTo(axisX + plotW, ly).dash(1, { space: 2 }).stroke().undash();
  }
  days.forEach((d, i) => {
    const bh = (d.signatures / max) * h;
    if (bh > 0) doc.rect(axisX + i * slot + slot * 0.15, y + h - bh, slot * 0.7, bh).fill(BLUE);
    if (i % 5 === 0 || i === days.length - 1) doc.fillColor(GREY).text(d.day.slice(8), axisX + i * slot, y + h + 3, { width: slot, align: 'center', lineBreak: false });
  });
  doc.fillColor('black');
  doc.y = y + h + 16;
  doc.x = PAGE.margin;
}

/** Horizontal bars with the label on the left and the count on the right. */
function barList(doc: PDFKit.PDFDocument, items: [string, number][], x: number, w: number): void {
  if (items.length === 0) {
    doc.fontSize(9).fillColor(GREY).text('（无数据 no data）', x + 8, doc.y).fillColor('black');
    return;
  }
  const max = Math.max(1, ...items.map(([, n]) => n));
  const labelW = 130;
  const barW = w - labelW - 60;
  for (const [label, n] of items.slice(0, 20)) {
    ensureSpace(doc, 16);
    const y = doc.y;
    doc.fontSize(9).fillColor('black').text(label, x + 8, y, { width: labelW - 12, lineBreak: false, ellipsis: true });
    const bw = Math.max(n > 0 ? 1 : 0, (n / max) * barW);
    if (bw > 0) doc.rect(x + labelW, y + 1, bw, 9).fill(BLUE);
    doc.fillColor('black').text(String(n), x + labelW + bw + 4, y, { lineBreak: false });
    doc.y = y + 14;
  }
  doc.x = PAGE.margin;
}

function topTable(doc: PDFKit.PDFDocument, rows: SignatureRow[], x: number, w: number): void {
  if (rows.length === 0) {
    doc.fontSize(9).fillColor(GREY).text('（无数据 no data）', x + 8, doc.y).fillColor('black');
    return;
  }
  const cols: [string, number][] = [
    ['名次 (#)', 40],
    ['工号 (employee no.)', 100],
    ['姓名 (name)', 110],
    ['科室 (department)', 130],
    ['签名数 (signatures)', w - 380],
  ];
  const row = (cells: string[], bold: boolean) => {
    ensureSpace(doc, 16);
    const y = doc.y;
    let cx = x + 8;
    doc.fontSize(9).fillColor(bold ? BLUE : 'black');
    cells.forEach((c, i) => {
      doc.text(c, cx, y, { width: cols[i]![1] - 6, lineBreak: false, ellipsis: true });
      cx += cols[i]![1];
    });
    doc.y = y + 14;
  };
  row(cols.map(([h]) => h), true);
  rows.forEach((r, i) => row([String(i + 1), r.employeeNo ?? '', r.label, r.department ?? '', String(r.signatures)], false));
  doc.fillColor('black');
  doc.x = PAGE.margin;
}

/** 1, 2, 5 × 10^k at or above n. */
function niceMax(n: number): number {
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n)!;
}
