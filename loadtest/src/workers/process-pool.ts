/**
 * The driver's side of its client worker processes, shared by the load tester and the benchmark:
 * forks them, sends commands, matches replies to requests, and notices a worker that dies. Clients
 * live in child processes so they never share an event loop with the driver or the server under test.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessCpuMs } from './process-cpu.ts';

/** Commands and replies are tagged by `type`. */
interface Tagged {
  type: string;
}

type ReplyOf<Reply extends Tagged, T extends Reply['type']> = Extract<Reply, { type: T }>;

export interface WorkerProcess<Command extends Tagged, Reply extends Tagged> {
  /** Sends a command that expects no answer; ignored once the worker is gone. */
  post(command: Command): void;
  /**
   * Sends `command` and resolves with the worker's next reply of `replyType`. Rejects when the
   * worker reports a failure or exits first, so a caller never waits for an answer that cannot come.
   */
  request<T extends Reply['type']>(command: Command, replyType: T): Promise<ReplyOf<Reply, T>>;
  /** CPU ms the worker used so far (see process-cpu.ts). */
  cpuMs(): number | undefined;
  /** Resolves once the process has exited, whatever the cause. */
  readonly exited: Promise<void>;
  kill(): void;
}

export interface ProcessPoolOptions<Reply extends Tagged> {
  /** The worker's TypeScript entry file; workers run it with tsx. */
  entry: URL;
  size: number;
  /** Names the workers in errors: `<label> <i>`. */
  label: string;
  /** Every reply no request is waiting for (the workers' events), with the index of its worker. */
  onMessage?(reply: Reply, worker: number): void;
  /** Reads a reply in which a worker reports that it failed: the reason, or undefined for any other reply. */
  failure?(reply: Reply): string | undefined;
  /** How long workers get to exit after the close command before they are killed, in ms. Default 5000. */
  closeWaitMs?: number;
}

export interface ProcessPool<Command extends Tagged, Reply extends Tagged> {
  readonly workers: readonly WorkerProcess<Command, Reply>[];
  /** Runs `each` on every worker at once. */
  all<T>(each: (worker: WorkerProcess<Command, Reply>, index: number) => Promise<T>): Promise<T[]>;
  /** The same request to every worker; rejects as soon as one worker fails or dies. */
  request<T extends Reply['type']>(command: Command, replyType: T): Promise<ReplyOf<Reply, T>[]>;
  /** CPU ms all workers used so far, or undefined when one cannot be read. */
  cpuMs(): number | undefined;
  /** Sends `command` (the workers' own close) and kills whoever has not exited in time. */
  close(command: Command): Promise<void>;
}

interface Waiter<Reply> {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

function createWorkerProcess<Command extends Tagged, Reply extends Tagged>(
  child: ChildProcess,
  label: string,
  onEvent: (reply: Reply) => void,
  failure: (reply: Reply) => string | undefined,
): WorkerProcess<Command, Reply> {
  const waiters = new Map<string, Waiter<Reply>>();
  let gone: Error | undefined;
  const rejectAll = (error: Error): void => {
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
  };
  child.on('message', (reply: Reply) => {
    const failed = failure(reply);
    if (failed !== undefined) return rejectAll(new Error(`${label}: ${failed}`));
    const waiter = waiters.get(reply.type);
    if (!waiter) return onEvent(reply);
    waiters.delete(reply.type);
    waiter.resolve(reply);
  });
  // A send on a channel that just closed is reported here; the exit below says why.
  child.on('error', (error) => rejectAll(new Error(`${label}: ${error.message}`)));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = new Error(`${label} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
      rejectAll(gone);
      resolve();
    });
  });
  return {
    post: (command) => {
      if (child.connected) child.send(command);
    },
    request: <T extends Reply['type']>(command: Command, replyType: T) =>
      new Promise<ReplyOf<Reply, T>>((resolve, reject) => {
        if (gone || !child.connected) return reject(gone ?? new Error(`${label} is not connected`));
        waiters.set(replyType, { resolve: (reply) => resolve(reply as ReplyOf<Reply, T>), reject });
        child.send(command);
      }),
    cpuMs: () => (child.pid === undefined ? undefined : readProcessCpuMs(child.pid)),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Forks `size` workers of `entry`; see ProcessPoolOptions for how their replies are routed. */
export function createProcessPool<Command extends Tagged, Reply extends Tagged>(options: ProcessPoolOptions<Reply>): ProcessPool<Command, Reply> {
  const closeWaitMs = options.closeWaitMs ?? 5_000;
  const workers = Array.from({ length: options.size }, (_, i) =>
    createWorkerProcess<Command, Reply>(
      fork(options.entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      `${options.label} ${i}`,
      (reply) => options.onMessage?.(reply, i),
      options.failure ?? (() => undefined),
    ),
  );
  const all = <T>(each: (worker: WorkerProcess<Command, Reply>, index: number) => Promise<T>): Promise<T[]> => Promise.all(workers.map(each));
  return {
    workers,
    all,
    request: (command, replyType) => all((worker) => worker.request(command, replyType)),
    cpuMs: () => {
      const each = workers.map((worker) => worker.cpuMs());
      return each.some((ms) => ms === undefined) ? undefined : each.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
    },
    close: async (command) => {
      for (const worker of workers) worker.post(command);
      // An unreferenced timer: once every worker is gone it must not hold the driver's exit back.
      await Promise.race([all((worker) => worker.exited), sleep(closeWaitMs, undefined, { ref: false })]);
      for (const worker of workers) worker.kill();
      await all((worker) => worker.exited);
    },
  };
}
