/**
 * DOM helpers. Data only ever reaches the page as text (textContent, attribute values set
 * through the DOM API), never as HTML, so a name or a message cannot inject markup.
 */
import { ApiError, SessionEnded } from './api.js';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | ((e: Event) => void)>;

/** h('button', {class: 'x', onclick: fn}, 'text', child…) */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** A labelled form field; the input is returned for reading its value. */
export function field<T extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(label: string, input: T): [HTMLLabelElement, T] {
  return [h('label', {}, label, input), input];
}

export function select(id: string, options: [string, string][], value = ''): HTMLSelectElement {
  const s = h('select', { id });
  for (const [v, text] of options) s.append(h('option', { value: v }, text));
  s.value = value;
  return s;
}

/** A table from rows: columns are [header, cell(row)]. */
export function table<R>(columns: [string, (r: R) => Child][], rows: R[], opts: { id?: string; onRow?: (r: R) => void; rowAttrs?: (r: R) => Attrs } = {}): HTMLTableElement {
  const t = h('table', { id: opts.id });
  if (columns.some(([c]) => c)) t.append(h('thead', {}, h('tr', {}, ...columns.map(([c]) => h('th', {}, c)))));
  const body = h('tbody');
  for (const r of rows) {
    const tr = h('tr', { ...(opts.rowAttrs?.(r) ?? {}), class: opts.onRow ? 'clickable' : undefined });
    if (opts.onRow) tr.addEventListener('click', () => opts.onRow!(r));
    for (const [, cell] of columns) tr.append(h('td', {}, cell(r)));
    body.append(tr);
  }
  if (rows.length === 0) body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, '无记录 (none)')));
  t.append(body);
  return t;
}

// ---- the message bar: every API error with the server's message and code ----
export function showError(err: unknown): void {
  if (err instanceof SessionEnded) return; // the login page says so already
  const box = document.getElementById('message')!;
  box.className = 'error';
  box.hidden = false;
  if (err instanceof ApiError) box.textContent = `${err.message} [${err.code}]`;
  else box.textContent = `出错了 (error): ${err instanceof Error ? err.message : String(err)}`;
  box.dataset.code = err instanceof ApiError ? err.code : 'CLIENT';
}

export function showOk(text: string): void {
  const box = document.getElementById('message')!;
  box.className = 'ok';
  box.hidden = false;
  box.textContent = text;
  delete box.dataset.code;
}

export function hideMessage(): void {
  const box = document.getElementById('message')!;
  box.hidden = true;
  box.textContent = '';
}

/** Runs an action with its button disabled and a spinner; errors go to the message bar. */
export async function busy<T>(button: HTMLButtonElement | null, label: string, fn: () => Promise<T>): Promise<T | undefined> {
  const old = button ? Array.from(button.childNodes) : [];
  if (button) {
    button.disabled = true;
    button.replaceChildren(h('span', { class: 'spinner' }), label);
  }
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
      button.replaceChildren(...old);
    }
  }
}

export const fmtTime = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—');
