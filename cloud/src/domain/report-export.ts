/**
 * Exports of a query (导出): CSV and XLSX from one column description, so both carry the same
 * rows as the JSON answer.
 * - CSV: UTF-8 with a BOM (Excel in China otherwise reads it as GBK), CRLF, RFC 4180 quoting,
 *   headers "中文 (English)", and the formula-injection guard: a text cell that starts with
 *   = + - @ (or tab / CR) gets a leading ' (OWASP "CSV injection").
 * - XLSX (exceljs): Chinese headers, typed cells (times as dates in hospital time, counts as
 *   numbers), a frozen header row, an autofilter and column widths.
 */
import ExcelJS from 'exceljs';

export type ColumnType = 'text' | 'int' | 'datetime' | 'date';

export interface Column<R> {
  zh: string;
  en: string;
  type: ColumnType;
  /** character width in the spreadsheet */
  width: number;
  value: (row: R) => string | number | null;
}

export interface Table<R> {
  /** sheet name (≤ 31 characters) and file name stem */
  name: string;
  columns: Column<R>[];
  rows: R[];
}

const INJECTION = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180 §2: quote when it holds a comma, quote, CR or LF; double the quotes). */
export function csvField(value: string | number | null, type: ColumnType = 'text'): string {
  if (value === null) return '';
  let s = String(value);
  if (type === 'text' && INJECTION.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Epoch ms → "YYYY-MM-DD HH:mm:ss" (or the day) in hospital time, a form Excel reads as a date. */
function localTime(ms: number, offsetMinutes: number, dateOnly: boolean): string {
  const iso = new Date(ms + offsetMinutes * 60_000).toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function toCsv<R>(table: Table<R>, offsetMinutes: number): Buffer {
  const lines = [table.columns.map((c) => csvField(`${c.zh} (${c.en})`)).join(',')];
  for (const row of table.rows) {
    lines.push(
      table.columns
        .map((c) => {
          const v = c.value(row);
          if (v !== null && (c.type === 'datetime' || c.type === 'date') && typeof v === 'number') return csvField(localTime(v, offsetMinutes, c.type === 'date'), 'int');
          return csvField(v, c.type);
        })
        .join(','),
    );
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

export async function toXlsx<R>(table: Table<R>, offsetMinutes: number, meta: { creator: string; title: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = meta.creator;
  wb.title = meta.title;
  wb.created = new Date();
  const ws = wb.addWorksheet(table.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.columns.map((c, i) => ({
    header: c.zh,
    key: `c${i}`,
    width: c.width,
    ...(c.type === 'datetime' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : c.type === 'date' ? { style: { numFmt: 'yyyy-mm-dd' } } : c.type === 'int' ? { style: { numFmt: '0' } } : {}),
  }));
  for (const row of table.rows) {
    ws.addRow(
      table.columns.map((c) => {
        const v = c.value(row);
        if (v === null) return null;
        // Excel dates have no zone: write the hospital's wall-clock time
        if ((c.type === 'datetime' || c.type === 'date') && typeof v === 'number') return new Date(v + offsetMinutes * 60_000);
        return v;
      }),
    );
  }
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle' };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
