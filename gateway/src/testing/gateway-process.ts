import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const GATEWAY_DIR = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Port from the "listening" log line, once it appeared. */
  readonly port: Promise<number>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `src/main.ts` as its own process through tsx, so tests see source edits without a build;
 * `withTelemetry` preloads the OpenTelemetry bootstrap from source too.
 */
export function spawnGateway(env: Record<string, string>, options: { withTelemetry?: boolean } = {}): GatewayProcess {
  const imports = ['--import', 'tsx', ...(options.withTelemetry ? ['--import', '@wsgw/otel/register'] : [])];
  return spawnNode([...imports, MAIN], env);
}

/** The `start` script of gateway/package.json, which `npm start` runs in gateway/. */
export function startScript(): string {
  const manifest = JSON.parse(readFileSync(`${GATEWAY_DIR}package.json`, 'utf8')) as { scripts: { start: string } };
  return manifest.scripts.start;
}

/**
 * Runs the gateway exactly as `npm start` does: the start script's `node` arguments, from
 * gateway/, against the compiled output. Throws, naming the missing file, when the build has not
 * run, so a test fails instead of exercising something else.
 */
export function spawnStartScript(env: Record<string, string>): GatewayProcess {
  const [command, ...args] = startScript().split(/\s+/);
  if (command !== 'node') throw new Error(`the start script should run node directly: ${startScript()}`);
  const resolveFromGateway = createRequire(`${GATEWAY_DIR}package.json`).resolve;
  for (const [i, arg] of args.entries()) {
    const preload = args[i - 1] === '--import';
    if (!preload && arg.startsWith('-')) continue; // a node option, not a file
    const file = preload ? resolveOrUndefined(resolveFromGateway, arg) : `${GATEWAY_DIR}${arg}`;
    if (!file || !existsSync(file)) throw new Error(`${arg} (from the start script) is not built: run \`npm install\` or \`npm run build\``);
  }
  return spawnNode(args, env, GATEWAY_DIR);
}

function resolveOrUndefined(resolve: (specifier: string) => string, specifier: string): string | undefined {
  try {
    return resolve(specifier);
  } catch {
    return undefined;
  }
}

function spawnNode(args: string[], env: Record<string, string>, cwd?: string): GatewayProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+).*"msg":"listening"/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`gateway exited before listening:\n${output}`)));
  });
  port.catch(() => undefined);
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  return { child, port, output: () => output, exited };
}
