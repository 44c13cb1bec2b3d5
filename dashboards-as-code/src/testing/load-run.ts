import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../loadtest/src/cli.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LoadRun {
  /** Resolves once the run serves /metrics. */
  readonly serving: Promise<void>;
  /** Ends the run (its client workers exit with it) and resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Starts `wsgw-load quick` against a loopback gateway with its metrics on `metricsPort`. The run is
 * bounded by `steadySeconds`; `stop` ends it sooner, once its metrics have been read.
 */
export function startLoadRun(options: { target: string; apiKey: string; jwtSecret: string; metricsPort: number; connections: number; steadySeconds: number }): LoadRun {
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
    '--metrics-port', String(options.metricsPort),
    '--progress-interval', '60',
  ];
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const serving = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('metrics: http://')) resolve();
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
