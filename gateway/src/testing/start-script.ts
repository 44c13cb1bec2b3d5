import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The gateway workspace, where `npm start` runs its start script. */
export const GATEWAY_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The `start` script of gateway/package.json, which `npm start` runs in gateway/. */
export function startScript(): string {
  const manifest = JSON.parse(readFileSync(`${GATEWAY_DIR}package.json`, 'utf8')) as { scripts: { start: string } };
  return manifest.scripts.start;
}

/**
 * The `node` arguments of the start script, to run from `GATEWAY_DIR`, after checking that every
 * file they name (the entry, the preloaded modules) exists: throws, naming the missing one, when
 * the build has not run, so a test or a benchmark fails instead of running something else.
 */
export function startArguments(): string[] {
  const [command, ...args] = startScript().split(/\s+/);
  if (command !== 'node') throw new Error(`the start script should run node directly: ${startScript()}`);
  const resolveFromGateway = createRequire(`${GATEWAY_DIR}package.json`).resolve;
  for (const [i, arg] of args.entries()) {
    const preload = args[i - 1] === '--import';
    if (!preload && arg.startsWith('-')) continue; // a node option, not a file
    const file = preload ? resolveOrUndefined(resolveFromGateway, arg) : `${GATEWAY_DIR}${arg}`;
    if (!file || !existsSync(file)) throw new Error(`${arg} (from the start script) is not built: run \`npm install\` or \`npm run build\``);
  }
  return args;
}

function resolveOrUndefined(resolve: (specifier: string) => string, specifier: string): string | undefined {
  try {
    return resolve(specifier);
  } catch {
    return undefined;
  }
}
