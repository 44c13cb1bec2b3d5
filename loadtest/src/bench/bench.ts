/**
 * `npm run bench`: wsgw against a raw `ws` server, Socket.IO 4 and nchan, each started in turn with
 * the same client harness, alternating which goes first. Prints the figures, writes the JSON
 * results and regenerates docs/benchmarks.md with its plot. `--help` lists the options.
 *
 * Only one server is alive at a time: two servers with 10k sockets each plus the clients would not
 * fit the file-descriptor limit of a small box. Progress goes to stderr; the tables to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions, SUBJECT, USAGE, type BenchOptions } from './bench-options.ts';
import { renderBenchmarksMarkdown } from './benchmarks-markdown.ts';
import { renderBenchmarksSvg } from './benchmarks-svg.ts';
import { pinCores } from './cpu-pinning.ts';
import { planConnectionCounts } from './fd-limit.ts';
import { summarizeFigures } from './figures.ts';
import { readMachineInfo, type MachineInfo } from './machine-info.ts';
import { ensureNchanInstalled, type NchanInstall } from './nchan-server.ts';
import { createProgressLog } from './progress-log.ts';
import { formatFiguresTable, formatLossTable, formatRunsTable, LEGEND, summarizeLoss } from './report.ts';
import { figureSamplesOf, runServer, type ServerRun } from './server-run.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEFAULT_JSON = join(REPO_ROOT, 'loadtest/bench/results/latest.json');
const DEFAULT_DOCS = join(REPO_ROOT, 'docs');
const SVG_FILE = 'benchmarks.svg';

const log = createProgressLog();

interface RunContext {
  options: BenchOptions;
  machine: MachineInfo;
  notes: string[];
  startedAt: string;
}

const writeOutputs = (ctx: RunContext, runs: readonly ServerRun[], problems: readonly string[], failure: string | undefined): void => {
  const { options } = ctx;
  const rows = summarizeFigures(runs.flatMap(figureSamplesOf), SUBJECT, options.servers);
  const losses = summarizeLoss(runs);
  const lines = ['', formatRunsTable(runs), '', formatFiguresTable(rows, SUBJECT), '', formatLossTable(losses), '', LEGEND, ''];
  if (ctx.notes.length > 0) lines.push('Notes:', ...ctx.notes.map((n) => `  - ${n}`), '');
  if (problems.length > 0) lines.push('Problems observed:', ...problems.map((p) => `  - ${p}`), '');
  process.stdout.write(`${lines.join('\n')}\n`);

  // Paths relative to the repository, so the committed results do not name the machine's directories.
  const paths = { jsonPath: relative(REPO_ROOT, options.jsonPath), docsDir: options.docsDir === 'none' ? 'none' : relative(REPO_ROOT, options.docsDir) };
  const document = { bench: 'wsgw-vs-peers', at: ctx.startedAt, machine: ctx.machine, subject: SUBJECT, options: { ...options, ...paths, help: undefined }, notes: ctx.notes, figures: rows, losses, runs, problems, failure };
  mkdirSync(dirname(options.jsonPath), { recursive: true });
  writeFileSync(options.jsonPath, `${JSON.stringify(document, null, 2)}\n`);
  log(`results written to ${options.jsonPath}`);
  if (options.docsDir === 'none') return;
  mkdirSync(options.docsDir, { recursive: true });
  writeFileSync(join(options.docsDir, SVG_FILE), renderBenchmarksSvg(rows, options.servers));
  const docProblems = failure ? [`the run stopped early: ${failure}`, ...problems] : problems;
  const markdown = renderBenchmarksMarkdown({ generatedAt: ctx.startedAt, options, machine: ctx.machine, subject: SUBJECT, servers: options.servers, rows, losses, notes: ctx.notes, problems: docProblems, svgFile: SVG_FILE });
  writeFileSync(join(options.docsDir, 'benchmarks.md'), markdown);
  log(`docs written to ${join(options.docsDir, 'benchmarks.md')} and ${SVG_FILE}`);
};

const main = async (): Promise<number> => {
  const options = parseBenchOptions(process.argv.slice(2), process.env, { jsonPath: DEFAULT_JSON, docsDir: DEFAULT_DOCS });
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const overall = setTimeout(() => {
    log(`bench: exceeded --max-minutes (${options.maxDurationMs / 60_000} min); aborting`);
    // Exit handlers in server-process.ts kill the servers; client workers exit on disconnect.
    process.exit(2);
  }, options.maxDurationMs);

  // Before any child starts: children inherit both the CPU affinity and the descriptor limit.
  const pinning = pinCores();
  const plan = planConnectionCounts(options.connections);
  const notes = [pinning.note, ...plan.notes];
  for (const note of notes) log(`bench: ${note}`);
  const nchan: NchanInstall | undefined = options.servers.includes('nchan') ? ensureNchanInstalled(log) : undefined;
  const ctx: RunContext = { options, machine: readMachineInfo(nchan?.nginx), notes, startedAt: new Date().toISOString() };
  const targetOptions = { burstMode: options.burstMode, readyTimeoutMs: options.timeoutMs, commandPrefix: pinning.serverPrefix, nchan };

  const runs: ServerRun[] = [];
  const problems: string[] = [];
  let failure: string | undefined;
  try {
    for (const connections of plan.connections) {
      for (let repeat = 1; repeat <= options.repeat; repeat += 1) {
        // Every other run reverses the order, so a drift in the machine's load over the run does
        // not always favour the same server.
        const order = repeat % 2 === 1 ? options.servers : [...options.servers].reverse();
        for (const kind of order) {
          // One server failing (a crash, a ramp that does not finish) costs its run, not the others'.
          const run = await runServer(kind, connections, repeat, options, targetOptions, log).catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            log(`[${kind} @ ${connections} #${repeat}] failed: ${message}`);
            problems.push(`${kind} @ ${connections} #${repeat} failed: ${message.split('\n')[0]}`);
            return undefined;
          });
          if (!run) continue;
          runs.push(run);
          problems.push(...run.problems);
        }
      }
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    log(`\nbench failed: ${failure}`);
  } finally {
    clearTimeout(overall);
  }
  writeOutputs(ctx, runs, problems, failure);
  return failure ? 1 : 0;
};

process.on('SIGINT', () => process.exit(130));
process.exitCode = await main().catch((error: unknown) => {
  log(`bench: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
