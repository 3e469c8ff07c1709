#!/usr/bin/env node
// The medsign-tool executable (core/package.json "bin"); the commands are in medsign-tool.ts.
import { run } from './medsign-tool.js';

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
