#!/usr/bin/env node
// npm run size -w @medsign/sdk: min+gzip size of the IIFE bundles (budget: medsign.iife.js ≤ 15 KB).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
const budget = 15 * 1024;
for (const f of ['medsign.iife.js', 'medsign-qr.iife.js']) {
  const raw = readFileSync(new URL(`../dist/${f}`, import.meta.url));
  const gz = gzipSync(raw, { level: 9 }).length;
  console.log(`${f}: ${(raw.length / 1024).toFixed(1)} KB min, ${(gz / 1024).toFixed(1)} KB min+gzip${f === 'medsign.iife.js' ? (gz <= budget ? ' (within the 15 KB budget)' : ' (OVER the 15 KB budget)') : ' (optional QR helper)'}`);
}
