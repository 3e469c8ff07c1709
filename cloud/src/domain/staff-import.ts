/**
 * Bulk import of staff from CSV (e.g. the HR system's export of 400 doctors and nurses): every
 * row is checked first — field formats, duplicates within the file and against the staff
 * already registered — and the rows go in together in one transaction, or none does. Errors
 * are reported per row and field, in Chinese and English, with stable codes.
 *
 * Columns (header row; Chinese or English names, any order; UTF-8, a BOM is fine):
 *   工号 employeeNo · 姓名 name · 科室 department · 职称 title · 执业证号 licenceNo ·
 *   身份证号 idNumber · 手机 mobile — the first three required.
 */
import { z } from 'zod';
import { Errors } from './errors.js';
import type { StaffRecord, Store } from '../store/repositories.js';

export const MAX_IMPORT_ROWS = 2000;

const COLUMNS: Record<string, keyof StaffRow> = {
  工号: 'employeeNo',
  employeeno: 'employeeNo',
  姓名: 'name',
  name: 'name',
  科室: 'department',
  department: 'department',
  职称: 'title',
  title: 'title',
  执业证号: 'licenceNo',
  licenceno: 'licenceNo',
  身份证号: 'idNumber',
  idnumber: 'idNumber',
  手机: 'mobile',
  手机号: 'mobile',
  mobile: 'mobile',
};

/** A staff member's fields: POST /api/v1/admin/staff and each row of the import. */
export const StaffRowSchema = z
  .object({
    employeeNo: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    name: z.string().min(1).max(64),
    department: z.string().min(1).max(64),
    title: z.string().min(1).max(64).optional(),
    licenceNo: z.string().regex(/^[A-Za-z0-9]{1,32}$/).optional(),
    idNumber: z.string().regex(/^[0-9]{17}[0-9Xx]$/).optional(),
    mobile: z.string().regex(/^\+?[0-9]{6,20}$/).optional(),
  })
  .strict();
export type StaffRow = z.infer<typeof StaffRowSchema>;

export interface ImportError {
  /** 1-based line of the file (the header is line 1) */
  row: number;
  field: string | null;
  code: 'BAD_CSV' | 'UNKNOWN_COLUMN' | 'MISSING_COLUMN' | 'INVALID' | 'DUPLICATE_IN_FILE' | 'ALREADY_REGISTERED' | 'TOO_MANY_ROWS';
  message: string;
}

/** RFC 4180 CSV: quoted fields with "" for a quote, CRLF or LF, a leading BOM ignored. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') (field += '"'), i++;
        else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += c;
  }
  if (quoted) throw Errors.badRequest({ zh: 'CSV 中有未闭合的引号', en: 'the CSV has an unterminated quote' });
  if (field !== '' || row.length) (row.push(field), rows.push(row));
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

/** Check every row; the valid rows, or every problem found. */
export function checkStaffCsv(text: string, store: Pick<Store, 'staff'>): { rows: StaffRow[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch {
    return { rows: [], errors: [{ row: 0, field: null, code: 'BAD_CSV', message: 'CSV 格式错误：有未闭合的引号 (malformed CSV: an unterminated quote)' }] };
  }
  if (table.length < 2) return { rows: [], errors: [{ row: 1, field: null, code: 'BAD_CSV', message: '文件需要表头和至少一行数据 (the file needs a header row and at least one data row)' }] };
  if (table.length - 1 > MAX_IMPORT_ROWS)
    return { rows: [], errors: [{ row: 0, field: null, code: 'TOO_MANY_ROWS', message: `一次最多导入 ${MAX_IMPORT_ROWS} 人 (at most ${MAX_IMPORT_ROWS} rows per file)` }] };
  const header = table[0]!.map((h) => h.trim());
  const keys = header.map((h) => COLUMNS[h] ?? COLUMNS[h.toLowerCase()]);
  header.forEach((h, i) => {
    if (!keys[i]) errors.push({ row: 1, field: h, code: 'UNKNOWN_COLUMN', message: `未知的列「${h}」 (unknown column)` });
  });
  for (const need of ['employeeNo', 'name', 'department'] as const)
    if (!keys.includes(need)) errors.push({ row: 1, field: need, code: 'MISSING_COLUMN', message: `缺少必填列 ${need} (a required column is missing)` });
  if (errors.length) return { rows: [], errors };

  const rows: StaffRow[] = [];
  const seen = new Map<string, number>();
  table.slice(1).forEach((cells, i) => {
    const line = i + 2;
    if (cells.length !== header.length) {
      errors.push({ row: line, field: null, code: 'BAD_CSV', message: `应有 ${header.length} 列，实际 ${cells.length} 列 (expected ${header.length} columns, found ${cells.length})` });
      return;
    }
    const obj: Record<string, string> = {};
    cells.forEach((v, j) => {
      const t = v.trim();
      if (t !== '') obj[keys[j]!] = t;
    });
    const parsed = StaffRowSchema.safeParse(obj);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push({ row: line, field: String(issue.path[0] ?? ''), code: 'INVALID', message: `${String(issue.path[0] ?? '')} 格式不正确 (invalid: ${issue.code})` });
      return;
    }
    const no = parsed.data.employeeNo;
    const first = seen.get(no.toUpperCase());
    if (first !== undefined) errors.push({ row: line, field: 'employeeNo', code: 'DUPLICATE_IN_FILE', message: `工号 ${no} 与第 ${first} 行重复 (duplicates line ${first})` });
    else if (store.staff.getByEmployeeNo(no)) errors.push({ row: line, field: 'employeeNo', code: 'ALREADY_REGISTERED', message: `工号 ${no} 已登记 (already registered)` });
    else {
      seen.set(no.toUpperCase(), line);
      rows.push(parsed.data);
    }
  });
  return { rows, errors };
}

/** Import all rows or none: `create` runs inside one transaction. */
export function importStaff(text: string, store: Store, create: (row: StaffRow) => StaffRecord): { imported: StaffRecord[]; errors: ImportError[] } {
  const { rows, errors } = checkStaffCsv(text, store);
  if (errors.length) return { imported: [], errors };
  const imported = store.transaction(() => rows.map((r) => create(r)));
  return { imported, errors: [] };
}
