import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestGateways } from '../../gateway/src/testing/test-gateway.ts';
import type { RunReport } from './report/run-report.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const startTestGateway = useTestGateways();

type CliRun = Promise<{ code: number | null; stdout: string; stderr: string }> & { metricsUrl: Promise<string> };

function runCli(args: string[]): CliRun {
  let announce: (url: string) => void = () => undefined;
  const metricsUrl = new Promise<string>((resolve) => (announce = resolve));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /metrics: (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) announce(url);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return Object.assign(done, { metricsUrl });
}

const gatewayFlags = async () => {
  const gateway = await startTestGateway({ connectRatePerIp: 10_000 });
  const args = ['--target', gateway.http, `--api-key=${gateway.config.apiKey}`, `--jwt-secret=${gateway.config.jwtSecret!}`, '--workers', '2', '--progress-interval', '1'];
  return { gateway, args };
};

describe('wsgw-load', () => {
  it('runs quick at small scale with every delivery accounted for, and writes JSON and HTML reports', async () => {
    const { gateway, args } = await gatewayFlags();
    const dir = await mkdtemp(join(tmpdir(), 'wsgw-load-'));
    const result = await runCli(['quick', ...args, '--connections', '20', '--ramp', '1', '--steady', '2', '--interval', '0.25', '--out', join(dir, 'r.json'), '--html', join(dir, 'r.html'), '--threshold', 'loss=0,success>=100%,p99<5s']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as RunReport;
    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(report.connections).toMatchObject({ attempted: 20, succeeded: 20, failed: 0 });
    expect(report.messages.pushesSent).toBeGreaterThan(100);
    expect(report.messages.deliveriesExpected).toBe(stats.pushes.total);
    expect(report.messages.deliveriesReceived).toBe(stats.deliveries);
    expect(report.messages).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0 });
    expect(report.messages.acksSent).toBe(stats.acks);
    expect(report.latencyMs.count).toBe(report.messages.deliveriesReceived);
    expect(report.thresholds.every((t) => t.passed)).toBe(true);
    expect(result.stdout).toContain('deliveries');
    expect(result.stderr).toMatch(/quick \[[=> ]+\]/);
    const html = await readFile(join(dir, 'r.html'), 'utf8');
    for (const plot of ['latency-histogram', 'latency-over-time', 'throughput-over-time', 'connections-over-time']) {
      expect(html).toContain(`data-plot="${plot}"`);
    }
  });

  it('counts exactly the deliveries the gateway dropped, and fails the loss threshold', async () => {
    const { gateway, args } = await gatewayFlags();
    const prefix = `kick-${Date.now()}`;
    const running = runCli(['quick', ...args, '--user-prefix', prefix, '--connections', '10', '--ramp', '0.5', '--steady', '3', '--interval', '0.2', '--drain', '1', '--threshold', 'loss=0', '--metrics-port', '0']);
    // The run serves its own metrics while it goes: wait (not a fixed sleep: a busy machine starts it
    // later) until all ten are connected and pushes flow.
    const metricsUrl = await running.metricsUrl;
    let live = '';
    await expect
      .poll(
        async () => {
          live = await (await fetch(metricsUrl)).text();
          return /^wsgw_load_connections 10$/m.test(live) && Number(/^wsgw_load_pushes_sent_total (\d+)/m.exec(live)?.[1]) > 0;
        },
        { timeout: 8000, interval: 100 },
      )
      .toBe(true);
    expect(live).toMatch(/^wsgw_load_latency_seconds_count \d+/m);
    // Cut two users off mid-run: every push to them from now on is a delivery the gateway cannot make.
    expect((await gateway.api('POST', `/api/users/${prefix}-u0/disconnect`)).body.disconnected).toBe(1);
    expect((await gateway.api('POST', `/api/users/${prefix}-u1/disconnect`)).body.disconnected).toBe(1);
    const result = await running;
    expect(result.code).toBe(1);
    const stats = (await gateway.api('GET', '/api/stats')).body;
    const lost = Number(/lost \.+ (\d+)/.exec(result.stdout)?.[1]);
    expect(lost).toBeGreaterThan(0);
    // Exact: every accepted push to a user with one connection is a delivery owed; the gateway wrote the rest.
    expect(lost).toBe(stats.pushes.total - stats.deliveries);
    expect(result.stdout).toContain('closed by the server with 4001');
    expect(result.stdout).toMatch(/✗ loss=0/);
  });

  it('refuses non-loopback targets and malformed thresholds with exit code 2', async () => {
    const remote = await runCli(['quick', '--target', 'http://10.1.2.3:8080', '--api-key', 'k', '--jwt-secret', 's'.repeat(32)]);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('not a loopback address');
    const bad = await runCli(['quick', '--target', 'http://127.0.0.1:9', '--api-key', 'k', '--jwt-secret', 's'.repeat(32), '--threshold', 'p99<<5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('threshold');
  });

  it('runs fanout: U users × C connections × M messages, all delivered', async () => {
    const { gateway, args } = await gatewayFlags();
    const dir = await mkdtemp(join(tmpdir(), 'wsgw-load-'));
    const result = await runCli(['fanout', ...args, '--users', '8', '--connections-per-user', '3', '--messages', '5', '--ramp', '0.5', '--out', join(dir, 'f.json')]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'f.json'), 'utf8')) as RunReport;
    expect(report.messages).toMatchObject({ pushesSent: 40, deliveriesExpected: 120, deliveriesReceived: 120, lost: 0, duplicates: 0 });
    expect((await gateway.api('GET', '/api/stats')).body.deliveries).toBe(120);
  });

  it('serve answers a run behind basic auth', async () => {
    const { gateway, args } = await gatewayFlags();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', ...args, '--port', '0', '--basic-auth', 'harness:s3cret', '--messages', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          const found = /POST (http:\/\/127\.0\.0\.1:\d+)\/run/.exec(err)?.[1];
          if (found) resolve(found);
        });
        child.once('exit', () => reject(new Error(err)));
      });
      const auth = `Basic ${Buffer.from('harness:s3cret').toString('base64')}`;
      expect((await fetch(`${url}/run?user-count=5`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${url}/run?user-count=0`, { method: 'POST', headers: { authorization: auth } })).status).toBe(400);
      const response = await fetch(`${url}/run?user-count=6&timeout=1m`, { method: 'POST', headers: { authorization: auth } });
      expect(response.status).toBe(200);
      const report = (await response.json()) as RunReport;
      expect(report.scenario).toBe('fanout');
      expect(report.messages).toMatchObject({ pushesSent: 18, deliveriesExpected: 18, deliveriesReceived: 18, lost: 0 });
      expect((await gateway.api('GET', '/api/stats')).body.deliveries).toBe(18);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('ping: every ping gets its pong and every hello its error answer', async () => {
    const gateway = await startTestGateway({ connectRatePerIp: 10_000, maxInvalidFrames: 1000 });
    const dir = await mkdtemp(join(tmpdir(), 'wsgw-load-'));
    const args = ['--target', gateway.http, `--api-key=${gateway.config.apiKey}`, `--jwt-secret=${gateway.config.jwtSecret!}`, '--workers', '2'];
    const result = await runCli(['ping', ...args, '--connections', '10', '--ramp', '0.5', '--steady', '2', '--ping-min', '0.2', '--ping-max', '0.4', '--out', join(dir, 'p.json')]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'p.json'), 'utf8')) as RunReport;
    expect(report.scenario).toBe('ping');
    expect(report.messages.deliveriesExpected).toBeGreaterThan(40);
    expect(report.messages).toMatchObject({ deliveriesReceived: report.messages.deliveriesExpected, lost: 0 });
    // Half the answers are pongs, and each pong is one round-trip sample.
    expect(report.latencyMs.count * 2).toBe(report.messages.deliveriesExpected);
    expect((await gateway.api('GET', '/api/stats')).body.connectionsClosed.policy).toBe(0);
  });

  it('chat: room messages relayed through tags reach every member that had joined, exactly', async () => {
    const { gateway, args } = await gatewayFlags();
    const dir = await mkdtemp(join(tmpdir(), 'wsgw-load-'));
    const result = await runCli(['chat', ...args, '--rooms', '3', '--participants', '4', '--create-participant', '0.05', '--start-chat', '0.3', '--send-message', '0.2', '--steady', '2', '--drain', '2', '--out', join(dir, 'c.json')]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'c.json'), 'utf8')) as RunReport;
    const stats = (await gateway.api('GET', '/api/stats')).body;
    expect(report.connections).toMatchObject({ attempted: 12, succeeded: 12 });
    expect(stats.pushes.tag).toBe(report.messages.pushesSent);
    expect(report.messages.deliveriesExpected).toBeGreaterThan(report.messages.pushesSent);
    expect(report.messages).toMatchObject({ deliveriesReceived: report.messages.deliveriesExpected, lost: 0, duplicates: 0 });
    expect(report.saturation!.plateauPerSec).toBeGreaterThan(0);
    expect(result.stdout).toContain('message rate plateau');
    expect(result.stdout).toContain('first handshake timeout .... none');
  });

  it.each([
    ['medium', ['--connections', '15', '--ramp', '0.5', '--steady', '1', '--interval', '0.3']],
    ['stress', ['--connections', '25', '--ramp', '0.5', '--steady', '1', '--interval', '0.3']],
    ['progressive', ['--scale', '0.02', '--cooldown', '0.2']],
  ])('%s at small scale delivers everything, with tokens from a file', async (scenario, flags) => {
    const gateway = await startTestGateway({ connectRatePerIp: 10_000 });
    const dir = await mkdtemp(join(tmpdir(), 'wsgw-load-'));
    // 100 users' tokens in a file: the run takes its users from their `sub` claims.
    const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => gateway.token(`file-user-${i}`)));
    await writeFile(join(dir, 'tokens.txt'), `# one token per line\n${tokens.join('\n')}\n`);
    const result = await runCli([scenario, '--target', gateway.http, `--api-key=${gateway.config.apiKey}`, '--token-file', join(dir, 'tokens.txt'), '--workers', '2', '--drain', '2', '--out', join(dir, 'r.json'), ...flags]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8')) as RunReport;
    expect(report.scenario).toBe(scenario);
    expect(report.connections.failed).toBe(0);
    expect(report.messages.deliveriesExpected).toBeGreaterThan(0);
    expect(report.messages).toMatchObject({ deliveriesReceived: report.messages.deliveriesExpected, lost: 0, duplicates: 0 });
    if (scenario === 'progressive') expect(report.phases!.map((p) => p.scenario)).toEqual(['quick', 'medium', 'stress']);
    // progressive runs three stages, each with its own worker start-up before its clock starts.
  }, 45_000);
});
