#!/usr/bin/env node
// `wsgw` (`npx wsgw`): the compiled gateway, started as `npm start` starts it. The modules the
// start script preloads with `--import` and its entry are read from gateway/package.json and
// imported here in that order, in this process, so the two cannot differ and signals reach the
// gateway without a parent in between. `wsgw --help` prints the configuration table.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const GATEWAY_DIR = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);

if (args.includes('--help') || args.includes('-h')) {
  const { configHelp } = await import(pathToFileURL(`${GATEWAY_DIR}dist/config-variables.js`).href);
  process.stdout.write(configHelp());
  process.exit(0);
}
if (args.length > 0) {
  process.stderr.write(`wsgw: unknown argument ${args[0]}: the gateway is configured from the environment (wsgw --help)\n`);
  process.exit(64); // EX_USAGE
}

const manifest = JSON.parse(readFileSync(`${GATEWAY_DIR}package.json`, 'utf8'));
const [command, ...words] = manifest.scripts.start.split(/\s+/);
const resolveFromGateway = createRequire(`${GATEWAY_DIR}package.json`).resolve;
const modules = [];
for (let i = 0; i < words.length; i += 1) {
  if (words[i] === '--import') modules.push(resolveFromGateway(words[(i += 1)]));
  else if (command !== 'node' || words[i].startsWith('-')) throw new Error(`wsgw cannot run the start script "${manifest.scripts.start}": only node --import <module> <entry> is supported`);
  else modules.push(`${GATEWAY_DIR}${words[i]}`);
}
for (const file of modules) await import(pathToFileURL(file).href);
