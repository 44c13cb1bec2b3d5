/** Series colours, readable on the dark panels; nodes take them in name order. */
export const PALETTE = ['#5fa8ff', '#4cc38a', '#f0b429', '#c084fc', '#f06464', '#2dd4bf', '#fb923c', '#a3e635'] as const;

export const colorAt = (index: number): string => PALETTE[index % PALETTE.length] ?? PALETTE[0];

/** Colours for latency percentiles, from calm to alarming. */
export const PERCENTILE_COLORS = { p50: '#4cc38a', p95: '#f0b429', p99: '#f06464' } as const;
