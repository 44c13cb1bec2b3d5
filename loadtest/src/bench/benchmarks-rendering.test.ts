import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from './bench-options.ts';
import { renderBenchmarksMarkdown } from './benchmarks-markdown.ts';
import { renderBenchmarksSvg } from './benchmarks-svg.ts';
import { summarizeFigures, type FigureSample } from './figures.ts';

const samples: FigureSample[] = [1000, 10_000].flatMap((connections) =>
  (['wsgw', 'raw', 'socketio', 'nchan'] as const).flatMap((server, s) =>
    [1, 2, 3].flatMap((repeat) => [
      { figure: 'broadcast' as const, connections, server, repeat, value: (s + 1) * 10_000 * repeat },
      { figure: 'latency-p99' as const, connections, server, repeat, value: s + repeat / 10 },
    ]),
  ),
);
const servers = ['wsgw', 'raw', 'socketio', 'nchan'] as const;
const rows = summarizeFigures(samples, 'wsgw', servers);

describe('renderBenchmarksSvg', () => {
  const svg = renderBenchmarksSvg(rows, servers);

  it('draws both panels with a line per server and a marker per connection count', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-plot="broadcast"');
    expect(svg).toContain('data-plot="latency-p99"');
    expect(svg.match(/<path /g)).toHaveLength(8);
    expect(svg.match(/<circle /g)).toHaveLength(16);
    expect(svg).not.toContain('NaN');
  });
});

describe('renderBenchmarksMarkdown', () => {
  const options = parseBenchOptions(['--quick'], {}, { jsonPath: 'x.json', docsDir: 'docs' });
  const markdown = renderBenchmarksMarkdown({
    generatedAt: '2026-01-01T00:00:00.000Z',
    options,
    machine: { cpuModel: 'Test CPU', cores: 2, kernel: '6.1', node: 'v20.0.0', nginx: '1.22.1', nchan: '1.3.6', socketIo: '4.8.4', ws: '8.0.0' },
    subject: 'wsgw',
    servers,
    rows,
    losses: [{ server: 'nchan', connections: 1000, broadcastExpected: 10, broadcastLost: 2, pushesAccepted: 5, pushesLost: 1, pushDuplicates: 0, latePushes: 3 }],
    notes: ['20000 connections skipped'],
    problems: [],
    svgFile: 'benchmarks.svg',
  });

  it('names the machine and versions, embeds the plot and tabulates each figure with ratios', () => {
    expect(markdown).toContain('| CPU | Test CPU, 2 cores |');
    expect(markdown).toContain('| nginx / nchan | 1.22.1 / 1.3.6 |');
    expect(markdown).toContain('](benchmarks.svg)');
    expect(markdown).toContain('| connections | wsgw | raw | socketio | nchan | wsgw/raw | wsgw/socketio | wsgw/nchan |');
    // wsgw 20,000 median against raw 40,000: 0.50x in every run.
    expect(markdown).toContain('| 1,000 | 20,000 [10,000–30,000] | 40,000 [20,000–60,000] |');
    expect(markdown).toMatch(/\| 0\.50× \[0\.50–0\.50\] \|/);
    expect(markdown).toContain('| nchan | 1,000 | 10 | 2 | 5 | 1 | 0 | 3 |');
    expect(markdown).toContain('- 20000 connections skipped');
    expect(markdown).toContain('npm run bench -- --quick');
  });
});
