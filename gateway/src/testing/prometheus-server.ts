import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant query and returns the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  queryExemplars(expr: string, startSeconds: number, endSeconds: number): Promise<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string }> }>>;
  stop(): Promise<void>;
}

/**
 * A free loopback port for a child process that cannot listen on port 0 and report back.
 *
 * It is drawn below the kernel's ephemeral range: a port the kernel hands out for port 0 is one it
 * also hands to outgoing connections (a scrape, a bus client), so it can be taken before the child
 * binds it. Below that range only another listener can take it, and each candidate is tried first.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  const floor = Math.max(1024, low - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port in ${floor}-${low - 1} after 50 tries`);
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Starts Debian's `prometheus` on a free loopback port, scraping `targets` every second with
 * exemplar storage on, in a throw-away data directory.
 */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wsgw-prometheus-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: wsgw',
    `    static_configs: [{ targets: [${targets.map((t) => `'${t}'`).join(', ')}] }]`,
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`cannot run prometheus (apt-get install prometheus): ${error.message}`))));
  const url = `http://127.0.0.1:${port}`;
  const api = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: any; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  const ready = vi.waitFor(
    async () => {
      if (!(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false))) throw new Error(`prometheus did not start:\n${log}`);
    },
    { timeout: 15_000, interval: 100 },
  );
  // A Prometheus that exits (a bad flag, a taken port) fails the start at once, with its log.
  const exited = new Promise<never>((_, reject) => child.once('exit', () => reject(new Error(`prometheus did not start:\n${log}`))));
  await Promise.race([ready, spawnError, exited]);
  return {
    url,
    query: async (expr) => (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    queryExemplars: (expr, start, end) => api(`/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`),
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
