/**
 * nchan as a bench peer: Debian's nginx with libnginx-mod-nchan, installed with apt when missing,
 * run in the foreground from a generated configuration (nchan-config.ts) in a temporary prefix
 * directory that is removed when it stops.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { renderNchanConfig } from './nchan-config.ts';
import { BENCH_HOST, startServerProcess, type ServerProcess } from './server-process.ts';

const MODULE_DIR = '/usr/lib/nginx/modules';
const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];
/** apt may have to download; it gets this long. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface NchanInstall {
  nginx: string;
  modulePath: string;
}

const findInstall = (): NchanInstall | undefined => {
  const nginx = NGINX_CANDIDATES.find((path) => existsSync(path));
  const module = existsSync(MODULE_DIR) ? readdirSync(MODULE_DIR).find((name) => /nchan.*\.so$/.test(name)) : undefined;
  return nginx && module ? { nginx, modulePath: join(MODULE_DIR, module) } : undefined;
};

/** Finds nginx and the nchan module, installing both with apt-get when either is missing. */
export const ensureNchanInstalled = (log: (line: string) => void): NchanInstall => {
  const found = findInstall();
  if (found) return found;
  log('nchan: nginx or libnginx-mod-nchan missing; installing with apt-get');
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', 'nginx', 'libnginx-mod-nchan']]) {
    const [program, ...rest] = [...asRoot, ...args];
    const run = spawnSync(program!, rest, { stdio: ['ignore', 'inherit', 'inherit'], timeout: INSTALL_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (run.status !== 0) throw new Error(`nchan: "${args.join(' ')}" failed (${run.error?.message ?? `status ${run.status}`})`);
  }
  const installed = findInstall();
  if (!installed) throw new Error(`nchan: installed, but no nginx binary or no nchan module under ${MODULE_DIR}`);
  return installed;
};

export interface NchanServerOptions {
  install: NchanInstall;
  port: number;
  maxConnections: number;
  /** Put before the nginx command (CPU pinning). */
  commandPrefix: string[];
  readyTimeoutMs: number;
}

export const startNchanServer = async (options: NchanServerOptions): Promise<ServerProcess> => {
  const prefix = mkdtempSync(join(tmpdir(), 'wsgw-bench-nchan-'));
  const cleanUp = (): void => rmSync(prefix, { recursive: true, force: true });
  try {
    mkdirSync(join(prefix, 'logs'));
    const configPath = join(prefix, 'nginx.conf');
    const user = process.getuid?.() === 0 ? userInfo().username : undefined;
    writeFileSync(configPath, renderNchanConfig({ prefix, modulePath: options.install.modulePath, host: BENCH_HOST, port: options.port, maxConnections: options.maxConnections, user }));
    const server = await startServerProcess({
      name: 'nchan',
      command: [...options.commandPrefix, options.install.nginx, '-p', prefix, '-c', configPath, '-e', 'stderr'],
      cwd: prefix,
      port: options.port,
      env: {},
      readyTimeoutMs: options.readyTimeoutMs,
    });
    return {
      ...server,
      stop: async () => {
        await server.stop();
        cleanUp();
      },
    };
  } catch (error) {
    cleanUp();
    throw error;
  }
};
