/**
 * The benches' progress lines, on stderr (their tables go to stdout): each carries the time since
 * the log was made, so a slow phase shows where the minutes go.
 */
export const createProgressLog = (): ((line: string) => void) => {
  const startedMs = performance.now();
  return (line) => {
    process.stderr.write(`${((performance.now() - startedMs) / 1000).toFixed(1).padStart(6)}s ${line}\n`);
  };
};
