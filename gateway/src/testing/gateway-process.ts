import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Port from the "listening" log line, once it appeared. */
  readonly port: Promise<number>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `src/main.ts` as its own process, the way `npm start` does. */
export function spawnGateway(env: Record<string, string>, options: { withTelemetry?: boolean } = {}): GatewayProcess {
  const imports = ['--import', 'tsx', ...(options.withTelemetry ? ['--import', '@wsgw/otel/register'] : [])];
  const child = spawn(process.execPath, [...imports, MAIN], {
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
