/** Durations as test files write them: `61s`, `5m`, `1h`, `2d`, `250ms`, `-60s`, or a number of seconds. */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds; the schema has already checked the form. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_SECONDS[match[2]];
}
