#!/usr/bin/env node
// The medsign-tool command. It loads the built CLI (core/dist/tool.js, made by `npm install`'s
// postinstall or `npm run build -w @medsign/core`); this file exists so that npm can link the
// command before the build has run.
import('../dist/tool.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('错误 Error: medsign-tool 尚未构建，请运行 npm run build -w @medsign/core (not built yet: run npm run build -w @medsign/core)');
  } else {
    console.error(`错误 Error: ${err && err.message ? err.message : err}`);
  }
  process.exit(2);
});
