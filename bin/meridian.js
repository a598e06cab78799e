#!/usr/bin/env node
// The `meridian` command: runs the compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('meridian: not built yet; run `npm install` (or `npm run build`) in the project folder first');
  process.exit(1);
}
await import(cli.href);
