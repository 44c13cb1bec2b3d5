import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../loadtest/src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LoadRun {
  /** Resolves with the port of the run's /metrics once it serves them. */
  readonly serving: Promise<number>;
  /** Ends the run (its client workers exit with it) and resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Starts `wsgw-load quick` against a loopback gateway. Its metrics listen on a port the run picks
 * itself: a port chosen beforehand and handed over can be taken in between (by any outgoing
 * connection's ephemeral port), so the caller learns the port from `serving`. The run is bounded by
 * `steadySeconds`; `stop` ends it sooner, once its metrics have been read.
 */
export function startLoadRun(options: { target: string; apiKey: string; jwtSecret: string; connections: number; steadySeconds: number }): LoadRun {
  const args = [
    'quick',
    '--target', options.target,
    `--api-key=${options.apiKey}`,
    `--jwt-secret=${options.jwtSecret}`,
    '--connections', String(options.connections),
    '--ramp', '1',
    '--steady', String(options.steadySeconds),
    '--interval', '0.25',
    '--workers', '1',
    '--metrics-port', '0',
    '--progress-interval', '60',
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const serving = new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const served = /metrics: http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (served) resolve(Number(served[1]));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`wsgw-load exited with ${code} before serving metrics:\n${stderr}`)));
  });
  return {
    serving,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
