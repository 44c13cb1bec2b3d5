import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant query and returns the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  queryExemplars(expr: string, startSeconds: number, endSeconds: number): Promise<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string }> }>>;
  stop(): Promise<void>;
}

/** A free loopback port, picked by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
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
  const ready = (async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`prometheus did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  await Promise.race([ready, spawnError]);
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
