import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { GATEWAY_DIR, startArguments } from './start-script.ts';

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

/**
 * Runs the gateway exactly as `npm start` does: the start script's `node` arguments, from
 * gateway/, against the compiled output (`startArguments` throws when it is not built).
 */
export function spawnStartScript(env: Record<string, string>): GatewayProcess {
  return spawnNode(startArguments(), env, GATEWAY_DIR);
}

/** The package's `wsgw` executable (`npx wsgw`), run as a process of its own with `args`. */
export const WSGW_BIN = fileURLToPath(new URL('../../bin/wsgw.js', import.meta.url));
export function spawnBin(env: Record<string, string>, args: string[] = []): GatewayProcess {
  startArguments(); // throws, naming what is missing, when the gateway is not built
  return spawnNode([WSGW_BIN, ...args], env);
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
