import type { LiveSnapshot } from '../run-engine.ts';

const WIDTH = 20;

/** The line printed every few seconds while a run goes: progress bar, connections, rates, p99 so far. */
export function formatProgress(scenario: string, s: LiveSnapshot): string {
  const filled = Math.round(s.fraction * WIDTH);
  const bar = `[${'='.repeat(filled)}${filled < WIDTH ? '>' : ''}${' '.repeat(Math.max(0, WIDTH - filled - 1))}]`;
  return (
    `${scenario} ${bar} ${(s.elapsedMs / 1000).toFixed(0).padStart(4)}s  ` +
    `conns ${s.open}/${s.attempted}${s.failed > 0 ? ` (${s.failed} failed)` : ''}  ` +
    `sent ${s.sent} (${s.sentPerSec.toFixed(0)}/s)  recv ${s.received} (${s.receivedPerSec.toFixed(0)}/s)  ` +
    `p99 ${s.p99Ms.toFixed(1)}ms`
  );
}
