/** The machine and software versions a bench result is only meaningful with. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  kernel: string;
  node: string;
  nginx: string | undefined;
  nchan: string | undefined;
  socketIo: string | undefined;
  ws: string | undefined;
}

const packageVersion = (name: string): string | undefined => {
  try {
    const require = createRequire(import.meta.url);
    const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
};

const nginxVersion = (nginx: string | undefined): string | undefined => {
  if (!nginx) return undefined;
  const run = spawnSync(nginx, ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(`${run.stderr}${run.stdout}`)?.[1];
};

const debianPackageVersion = (name: string): string | undefined => {
  const run = spawnSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' });
  return run.status === 0 && run.stdout.trim() !== '' ? run.stdout.trim() : undefined;
};

export const readMachineInfo = (nginx: string | undefined): MachineInfo => ({
  cpuModel: cpus()[0]?.model ?? 'unknown',
  // The machine's, not this process's: the orchestrator runs pinned to one core.
  cores: cpus().length,
  kernel: release(),
  node: process.version,
  nginx: nginxVersion(nginx),
  nchan: nginx ? debianPackageVersion('libnginx-mod-nchan') : undefined,
  socketIo: packageVersion('socket.io'),
  ws: packageVersion('ws'),
});
