import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { freePort } from './prometheus-server.ts';

export interface BrokerProcess {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts the server again on the same port (after `stop`). */
  restart(): Promise<void>;
  /** NATS started with a configuration: replaces it and has the running server reload it (SIGHUP). */
  reconfigure(config: string): Promise<void>;
}

export interface BrokerOptions {
  /** NATS only: configuration file text (authorization, permissions), beside the port and address. */
  natsConfig?: string;
}

/**
 * NATS runs with JetStream (the bus keeps its stream history there) in a store of its own, kept
 * across restarts; a server started with a configuration has it said there instead.
 */
const COMMANDS = {
  nats: (port: number, store?: string) => ['nats-server', ['-a', '127.0.0.1', '-p', String(port), ...(store ? ['-js', '-sd', store] : [])]] as const,
  redis: (port: number) => ['redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no']] as const,
};

/** JetStream stores of this process's servers: `stop` may be followed by `restart`, so they go when the process ends. */
const stores = new Set<string>();

function storeDirectory(): string {
  const store = mkdtempSync(join(tmpdir(), 'wsgw-nats-store-'));
  if (stores.size === 0) process.once('exit', () => stores.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  stores.add(store);
  return store;
}

/** Whether something accepts connections on the loopback port now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Waits until the port accepts connections, at most `timeoutMs`. */
function listening(port: number, timeoutMs = 10_000): Promise<void> {
  return vi.waitFor(
    async () => {
      if (!(await accepts(port))) throw new Error(`nothing listens on ${port}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

/**
 * A private NATS or Redis server (Debian's `nats-server` / `redis-server`) on a free loopback
 * port, which a fault test may stop and restart without disturbing the shared ones.
 */
export async function startBroker(kind: keyof typeof COMMANDS, options: BrokerOptions = {}): Promise<BrokerProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  // A restart finds the history the server had.
  const store = kind === 'nats' ? storeDirectory() : '';
  // The configuration says JetStream too: a reload of one that did not would shut JetStream down.
  const withStore = (config: string) => `${config}\njetstream { store_dir: ${JSON.stringify(store)} }\n`;
  const configFile = options.natsConfig === undefined ? undefined : join(mkdtempSync(join(tmpdir(), 'wsgw-nats-')), 'nats.conf');
  if (configFile) writeFileSync(configFile, withStore(options.natsConfig!));
  const start = async () => {
    const [command, args] = COMMANDS[kind](port, configFile ? undefined : store);
    child = spawn(command, [...args, ...(configFile ? ['-c', configFile] : [])], { stdio: 'ignore' });
    const failed = new Promise<never>((_, reject) => child!.once('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`))));
    await Promise.race([listening(port), failed]);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const reconfigure = async (config: string) => {
    if (!configFile || !child) throw new Error('only a NATS server started with a configuration can be reconfigured');
    writeFileSync(configFile, withStore(config));
    child.kill('SIGHUP');
  };
  await start();
  return { url: `${kind}://127.0.0.1:${port}`, port, stop, restart: start, reconfigure };
}
