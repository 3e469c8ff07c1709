#!/usr/bin/env node
// The medsign-mobile command; the commands are in cli.ts.
import { run } from './cli.js';

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
