import { describe, expect, it } from 'vitest';
import { sampleRunReport } from './sample-run-reports.ts';
import { evaluateThresholds, parseThresholds } from './thresholds.ts';

describe('thresholds', () => {
  it('parses units and evaluates against the report', () => {
    const report = sampleRunReport();
    const results = evaluateThresholds(parseThresholds(`p99<${report.latencyMs.p99 + 1}ms, p99>=1s, loss=${report.messages.lost}, success>1%`), report);
    expect(results.map((r) => r.passed)).toEqual([true, false, true, true]);
    expect(results[1]!.actual).toBe(report.latencyMs.p99);
  });

  it('rejects malformed terms, unknown metrics and wrong units', () => {
    expect(() => parseThresholds('p99<<5')).toThrow('not of the form');
    expect(() => parseThresholds('speed>5')).toThrow('unknown metric');
    expect(() => parseThresholds('p99<5%')).toThrow('latency');
    expect(() => parseThresholds('loss=0ms')).toThrow('count');
  });

  it('fails a latency threshold when nothing was measured', () => {
    const report = sampleRunReport();
    report.latencyMs = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };
    const [result] = evaluateThresholds(parseThresholds('p99<5ms'), report);
    expect(result!.passed).toBe(false);
    expect(result!.actual).toBeNaN();
  });
});
