import { createServer } from 'node:http';
import { once } from 'node:events';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { formatGcPauses, gcPausesBetween, parseGcPauses, readGcPauses } from './gc-pauses.ts';

describe('parseGcPauses', () => {
  it('reads the sum and count of each kind, whatever the order of labels', () => {
    const text = [
      '# HELP nodejs_gc_duration_seconds Garbage collection duration by kind.',
      '# TYPE nodejs_gc_duration_seconds histogram',
      'nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 10',
      'nodejs_gc_duration_seconds_sum{kind="minor"} 0.0125',
      'nodejs_gc_duration_seconds_count{kind="minor"} 12',
      'nodejs_gc_duration_seconds_sum{node="a",kind="major"} 0.5',
      'nodejs_gc_duration_seconds_count{node="a",kind="major"} 4',
      'process_cpu_seconds_total 3',
    ].join('\n');
    expect(parseGcPauses(text)).toEqual({ minor: { count: 12, ms: 12.5 }, major: { count: 4, ms: 500 } });
  });

  it('gives what accrued between two readings', () => {
    const between = gcPausesBetween({ major: { count: 1, ms: 10 } }, { major: { count: 3, ms: 35 }, minor: { count: 5, ms: 2 } });
    expect(between).toEqual({ major: { count: 2, ms: 25 }, minor: { count: 5, ms: 2 } });
    expect(formatGcPauses(between)).toBe('major 2 (25.0 ms), minor 5 (2.0 ms)');
    expect(formatGcPauses(undefined)).toBe('not reported');
  });
});

describe('readGcPauses', () => {
  it('reads a real prom-client registry over HTTP, and nothing from a server without metrics', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      void registry.metrics().then((body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      // Allocation makes young-generation pauses; V8 reports each to prom-client's observer a
      // little later, so the reading is retried until one is in (bounded).
      let kept: number[][] = [];
      let pauses: Awaited<ReturnType<typeof readGcPauses>>;
      for (let attempt = 0; attempt < 50 && !(pauses?.minor?.count ?? 0); attempt += 1) {
        for (let i = 0; i < 100; i += 1) kept = [...kept.slice(-20), Array.from({ length: 20_000 }, (_, j) => j)];
        pauses = await readGcPauses(baseUrl, 2_000);
      }
      expect(kept.length).toBeGreaterThan(0);
      expect(pauses?.minor?.count).toBeGreaterThan(0);
      expect(pauses?.minor?.ms).toBeGreaterThan(0);
      expect(await readGcPauses(`${baseUrl}/nothing`, 2_000)).toBeUndefined();
    } finally {
      server.close();
      registry.clear();
    }
  });
});
