/**
 * Runs a server under test as a child process (a Node server, the gateway, nginx) and waits until
 * its health endpoint answers, so the server never shares an event loop with the client harness.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { treeCpuMs, treeRssKb } from './process-tree.ts';

/** Every target is on loopback; the bench never dials anything else. */
export const BENCH_HOST = '127.0.0.1';

const HEALTH_POLL_MS = 100;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

export interface ServerProcessSpec {
  /** Label used in logs and errors. */
  name: string;
  /** Program and arguments, e.g. `['taskset', '-c', '0', node, 'server.ts']`. */
  command: readonly string[];
  cwd: string;
  port: number;
  /** Added to the inherited environment. */
  env: Record<string, string>;
  /** Limit for the health check to answer 200, in ms. */
  readyTimeoutMs: number;
}

export interface ServerProcess {
  name: string;
  pid: number;
  baseUrl: string;
  /** CPU ms used so far by the process and its children (see process-tree.ts). */
  cpuMs(): number | undefined;
  /** Resident memory of the process and its children, in KiB. */
  rssKb(): number | undefined;
  /** Last few thousand characters the process printed, for error reports. */
  outputTail(): string;
  /** Whether the process has exited (e.g. crashed mid-run). */
  exited(): boolean;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback port; another process could take it first, which is acceptable here. */
export const findFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, BENCH_HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

export const startServerProcess = async (spec: ServerProcessSpec): Promise<ServerProcess> => {
  const [program, ...args] = spec.command;
  if (program === undefined) throw new Error(`${spec.name}: empty command`);
  const child = spawn(program, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exitNote: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitNote = `exited with code ${code ?? '-'}, signal ${signal ?? '-'}`;
      resolve();
    });
  });
  // A crashed orchestrator must not leave a server holding thousands of sockets.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const baseUrl = `http://${BENCH_HOST}:${spec.port}`;
  const handle: ServerProcess = {
    name: spec.name,
    pid: child.pid ?? -1,
    baseUrl,
    cpuMs: () => (child.pid === undefined ? undefined : treeCpuMs(child.pid)),
    rssKb: () => (child.pid === undefined ? undefined : treeRssKb(child.pid)),
    outputTail: () => tail,
    exited: () => exitNote !== undefined,
    stop: async () => {
      process.off('exit', killOnExit);
      if (exitNote) return;
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, false)]);
      if (!graceful) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };

  const deadline = Date.now() + spec.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exitNote) break;
    const status = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    if (status === 200) return handle;
    await sleep(HEALTH_POLL_MS);
  }
  await handle.stop();
  const why = exitNote ?? `no 200 from GET /health within ${spec.readyTimeoutMs} ms`;
  throw new Error(`${spec.name} server did not become ready: ${why}\n--- ${spec.name} output ---\n${tail}`);
};
