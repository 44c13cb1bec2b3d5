/**
 * `npm run bench:pair-combine -- [--a wsgw --b wsgw-norecord] FILE...`: combines results files of
 * `npm run bench:pair` (pair-runs.ts) and prints each figure run by run and over all runs, a/b,
 * with a 95% interval over the runs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createOptionReader } from '../options/option-reader.ts';
import { SERVER_KINDS } from './bench-options.ts';
import { combinePairRuns, pairRun, RUN_FIGURES, type PairRunDocument, type RunFigure } from './pair-runs.ts';

const USAGE = `Usage: npm run bench:pair-combine -- [--a wsgw] [--b wsgw-norecord] FILE...

Combines results files of npm run bench:pair for the same two servers, in
either orientation (a run of b over a is inverted). Prints each figure, a/b,
run by run with the run's own 95% interval, and the geometric mean over the
runs with a 95% t interval over them: runs with fresh processes differ from
each other by more than one run's interval says.`;

const LABELS: Record<RunFigure, string> = {
  latencyP50: 'one-user latency p50 (window by window)',
  latencyP99: 'one-user latency p99 (window by window)',
  serverCpuPerPush: 'server CPU per one-user push',
  broadcastDeliveriesPerSec: 'broadcast deliveries/s',
  broadcastServerCpuPerDelivery: 'broadcast server CPU per delivery',
};

const main = (): number => {
  const read = createOptionReader({ argv: process.argv.slice(2), flags: { a: { type: 'string' }, b: { type: 'string' }, help: { type: 'boolean' } } as const, allowPositionals: true });
  if (read.has('help') || read.positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return read.has('help') ? 0 : 1;
  }
  const a = read.oneOf('a', 'wsgw', SERVER_KINDS);
  const b = read.oneOf('b', 'wsgw-norecord', SERVER_KINDS);
  // npm runs the workspace's script in its own folder: a path is the caller's, from where npm was run.
  const from = process.env.INIT_CWD ?? process.cwd();
  const runs = read.positionals.map((file) => pairRun(JSON.parse(readFileSync(resolve(from, file), 'utf8')) as PairRunDocument, a, b));
  const combined = combinePairRuns(runs);
  const lines = [`${a} / ${b} over ${runs.length} runs: ratio [95% interval]`, ''];
  runs.forEach((run, i) => lines.push(`  run ${i + 1}: ${read.positionals[i]} (${run.windows} windows${run.swapped ? ', swapped: inverted' : ''})`));
  lines.push('');
  for (const figure of RUN_FIGURES) {
    const each = runs.map((run) => {
      const { ratio, low, high } = run.figures[figure];
      return `${ratio.toFixed(3)} [${low.toFixed(3)}–${high.toFixed(3)}]`;
    });
    const { ratio, low, high } = combined[figure];
    const over = low === undefined || high === undefined ? ratio.toFixed(3) : `${ratio.toFixed(3)} [${low.toFixed(3)}–${high.toFixed(3)}]`;
    lines.push(`  ${LABELS[figure]}`, `    runs      ${each.join('  ')}`, `    combined  ${over}`);
  }
  const gcLine = (side: 'a' | 'b') =>
    runs
      .map((run) => {
        // A swapped run's `a` is this comparison's `b`.
        const gc = run.gcMs[run.swapped ? (side === 'a' ? 'b' : 'a') : side];
        return gc ? `${(gc.minor / 1000).toFixed(2)} s / ${(gc.major / 1000).toFixed(2)} s` : '-';
      })
      .join('  ');
  lines.push('  GC pauses over the latency windows, minor / major', `    ${a.padEnd(14)} ${gcLine('a')}`, `    ${b.padEnd(14)} ${gcLine('b')}`, '');
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`bench:pair-combine: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
