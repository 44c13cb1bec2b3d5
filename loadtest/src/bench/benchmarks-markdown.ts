/**
 * docs/benchmarks.md: the machine, the method, every figure as a table (median [min–max] per
 * server, then the subject/peer ratios) and the plot. Rewritten whole by every `npm run bench`;
 * nothing in it is edited by hand.
 */
import type { BenchOptions, ServerKind } from './bench-options.ts';
import { FIGURES, formatRatio, formatSpread, type FigureRow } from './figures.ts';
import type { MachineInfo } from './machine-info.ts';
import type { LossRow } from './report.ts';

export interface BenchmarksDocument {
  generatedAt: string;
  options: BenchOptions;
  machine: MachineInfo;
  subject: ServerKind;
  /** Servers in the order of the tables' columns. */
  servers: readonly ServerKind[];
  rows: readonly FigureRow[];
  losses: readonly LossRow[];
  /** Pinning, skipped connection counts and the like. */
  notes: readonly string[];
  problems: readonly string[];
  /** File name of the plot, relative to the markdown. */
  svgFile: string;
}

const SERVER_DESCRIPTIONS: Record<ServerKind, string> = {
  wsgw: 'this gateway as users run it: production mode, Prometheus metrics on, OTel SDK preloaded and every push traced (spans recorded, not exported)',
  'wsgw-norecord': 'the same with the push inspector off (`WSGW_PUSH_RECORD_MS=0`)',
  'wsgw-bare': 'this gateway with metrics and tracing off',
  'wsgw-cluster': 'three bare gateways on one NATS, clients spread over them',
  raw: 'a minimal `ws` server (raw-server.ts): one frame per write, no auth, no bookkeeping; the Node ceiling',
  socketio: 'Socket.IO 4, websocket transport only, one room per user, `io.to(user).emit` and `io.emit`',
  nchan: 'nginx with the nchan module, one worker, HTTP publisher, WebSocket subscriber on its user channel plus a shared broadcast channel',
};

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const table = (header: readonly string[], rows: readonly string[][]): string =>
  [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

const machineTable = (m: MachineInfo): string =>
  table(
    ['', ''],
    [
      ['CPU', `${m.cpuModel}, ${m.cores} cores`],
      ['kernel', m.kernel],
      ['Node', m.node],
      ['nginx / nchan', `${m.nginx ?? '-'} / ${m.nchan ?? '-'}`],
      ['socket.io', m.socketIo ?? '-'],
      ['ws', m.ws ?? '-'],
    ],
  );

const methodList = (doc: BenchmarksDocument): string => {
  const o = doc.options;
  return [
    `- Servers: ${doc.servers.map((s) => `**${s}**, ${SERVER_DESCRIPTIONS[s]}`).join('; ')}. Every server publishes over HTTP and delivers over WebSocket on 127.0.0.1; only one runs at a time.`,
    `- Clients: ${o.workers} worker process(es) of raw-TCP frame counters (an HTTP/1.1 upgrade and a minimal frame parser on \`node:net\`, no WebSocket library), one connection per user; each server's client protocol is a module of its own (loadtest/src/bench/protocols/).`,
    `- CPU: the server under test is pinned to core 0, the orchestrator, publisher and clients to core 1 (\`taskset\`) unless a note below says otherwise.`,
    `- Runs: for each connection count, ${o.repeat} runs of every server, the order reversed every other run; each figure is the median of the runs with their min–max, and each ratio ${doc.subject}/peer is taken run by run before its median.`,
    `- Broadcasts: ${o.warmup} warm-up and ${o.rounds} measured single broadcasts per run; bursts: ${o.burstWarmup} warm-up and ${o.bursts} measured burst(s) of ${o.burstSize} broadcasts (the gateway's batch endpoint, one request to the Node peers, ${o.burstSize} concurrent publishes to nchan). Deliveries/s is deliveries over the summed time from trigger request to the last client's receipt. Payload ${o.payloadBytes} bytes.`,
    `- CPU per delivery: server process CPU (user + system, with child processes, from /proc) over the measured rounds, as CPU seconds per million deliveries; the client workers' is given too, because where it rivals the server's the clients rather than the server set the pace.`,
    `- Latency: with every client connected and idle, before any broadcast, ${o.latencyRate} one-user pushes/s to random users for ${o.latencyMs / 1000} s after 0.3 s of unmeasured ones, open loop over at most 4 kept-alive HTTP connections; each payload carries its send time and the client takes receive time − send time. Pushes the publisher sent more than 5 ms behind its schedule (all connections busy, or its own timers) are counted under Loss.`,
    `- Memory: server RSS (VmRSS, with child processes) before any connection, and after all connections plus ${o.settleMs / 1000} s of settling; the difference over the connection count.`,
    `- Every round checks that each expected delivery arrived; one-user pushes must arrive exactly once. Shortfalls are listed under Loss.`,
    '',
    'Reading the figures:',
    '',
    '- CPU is read in 10 ms ticks: where a run makes few deliveries (single broadcasts at 1k connections, above all in a quick run) a CPU figure is a handful of ticks.',
    '- A server that puts several frames into one write (wsgw coalesces the frames of a burst per connection) also costs its clients less per delivery than one that writes each frame alone, as the raw baseline does by design. Where the client CPU per delivery comes close to the server\'s, the clients on their one core were the limit, not the server.',
    '- Latency includes the HTTP publish: the push request, the server\'s fan-out and the WebSocket frame, all on loopback.',
  ].join('\n');
};

const figureTables = (doc: BenchmarksDocument): string => {
  const counts = [...new Set(doc.rows.map((r) => r.connections))].sort((a, b) => a - b);
  const peers = doc.servers.filter((s) => s !== doc.subject);
  return FIGURES.filter((f) => doc.rows.some((r) => r.figure === f.key))
    .map((figure) => {
      const rowOf = (connections: number, server: ServerKind) => doc.rows.find((r) => r.figure === figure.key && r.connections === connections && r.server === server);
      const header = ['connections', ...doc.servers, ...peers.map((p) => `${doc.subject}/${p}`)];
      const rows = counts.map((connections) => [
        connections.toLocaleString('en-US'),
        ...doc.servers.map((s) => formatSpread(rowOf(connections, s)?.value, figure.digits)),
        ...peers.map((p) => formatRatio(rowOf(connections, p)?.ratio)),
      ]);
      const direction = figure.better === 'higher' ? 'higher is better' : 'lower is better';
      return `### ${figure.title} (${figure.unit}, ${direction})\n\n${table(header, rows)}`;
    })
    .join('\n\n');
};

const lossTable = (losses: readonly LossRow[]): string =>
  table(
    ['server', 'connections', 'broadcast deliveries', 'lost', 'one-user pushes', 'lost', 'duplicates', 'sent > 5 ms late'],
    losses.map((l) => [l.server, l.connections.toLocaleString('en-US'), l.broadcastExpected.toLocaleString('en-US'), String(l.broadcastLost), l.pushesAccepted.toLocaleString('en-US'), String(l.pushesLost), String(l.pushDuplicates), String(l.latePushes)]),
  );

export const renderBenchmarksMarkdown = (doc: BenchmarksDocument): string => {
  const command = doc.options.quick ? 'npm run bench -- --quick' : 'npm run bench';
  const sections = [
    '# Benchmarks',
    `wsgw against a raw \`ws\` server, Socket.IO 4 and nchan, measured with the same clients in one run. Generated by \`${command}\` on ${doc.generatedAt}; rerun it to regenerate this page, \`docs/${doc.svgFile}\` and \`loadtest/bench/results/latest.json\`. Absolute figures depend on the machine; the ratios are what carries over.`,
    `## Machine\n\n${machineTable(doc.machine)}`,
    `## Method\n\n${methodList(doc)}`,
    `## Plot\n\n![Broadcast deliveries/s and one-user push p99 by connection count](${doc.svgFile})`,
    `## Figures\n\nEach cell is the median over the runs [min–max]; ratio columns are ${doc.subject} divided by the peer.\n\n${figureTables(doc)}`,
    `## Loss\n\n${lossTable(doc.losses)}`,
  ];
  if (doc.notes.length > 0) sections.push(`## Notes\n\n${doc.notes.map((n) => `- ${n}`).join('\n')}`);
  if (doc.problems.length > 0) sections.push(`## Problems observed\n\n${doc.problems.map((p) => `- ${p.replace(/\n/g, ' ')}`).join('\n')}`);
  return `${sections.join('\n\n')}\n`;
};
