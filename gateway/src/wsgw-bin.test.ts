import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_DIR } from './testing/start-script.ts';
import { spawnBin, WSGW_BIN, type GatewayProcess } from './testing/gateway-process.ts';

const run = promisify(execFile);
let running: GatewayProcess | undefined;
afterEach(() => {
  if (running?.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

/** Every variable the config module names, read from its source rather than copied here. */
function variablesInConfigSource(): string[] {
  const source = ['src/config.ts', 'src/config-variables.ts'].map((file) => readFileSync(`${GATEWAY_DIR}${file}`, 'utf8')).join('\n');
  return [...new Set(source.match(/\bWSGW_[A-Z0-9_]+\b/g))].sort();
}

describe('the wsgw executable', () => {
  it('is the package bin', () => {
    const manifest = JSON.parse(readFileSync(`${GATEWAY_DIR}package.json`, 'utf8'));
    expect(`${GATEWAY_DIR}${manifest.bin.wsgw}`).toBe(WSGW_BIN);
  });

  it('lists every WSGW_ variable config.ts reads, with its default, in --help', async () => {
    const { stdout } = await run(WSGW_BIN, ['--help']);
    const expected = variablesInConfigSource();
    expect(expected.length).toBeGreaterThan(30);
    const listed = [...stdout.matchAll(/^ {2}(WSGW_[A-Z0-9_]+)\s/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(expected);
    // config.ts reads no variable around the table: every read goes through valueOf.
    expect(readFileSync(`${GATEWAY_DIR}src/config.ts`, 'utf8')).not.toMatch(/env\.[A-Z]|env\[['"]/);
    expect(stdout).toMatch(/^ {2}WSGW_MAX_CONNECTIONS_PER_USER +.*\(default: 100\)$/m);
    expect(stdout).toMatch(/^ {2}WSGW_HISTORY_TTL +.*\(default: 5m\)$/m);
    expect(stdout).toMatch(/^ {2}PORT +.*\(default: 8080\)$/m);
  });

  it('refuses an unknown argument', async () => {
    const failed = await run(WSGW_BIN, ['--port', '1']).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 64, stderr: expect.stringContaining('unknown argument --port') });
  });

  it('starts the compiled gateway, which serves /health', async () => {
    running = spawnBin({ NODE_ENV: 'production', WSGW_API_KEY: 'k'.repeat(32), WSGW_JWT_SECRET: 's'.repeat(32), WSGW_CONSOLE: 'false' });
    const port = await running.port;
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await response.json()).toEqual({ status: 'ok' });
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });
});
