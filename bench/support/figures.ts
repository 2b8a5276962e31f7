/**
 * A benchmark figure: what was measured, against which target, and the verdict. The same list is printed as
 * a table and written as JSON (`--json <file>`).
 */

export type Comparison = '<=' | '>=' | '==';

export interface Target {
  readonly op: Comparison;
  readonly value: number;
}

export type Verdict = 'pass' | 'FAIL' | 'info' | 'n/a';

export interface Figure {
  readonly scenario: string;
  readonly figure: string;
  /** Undefined: informational, the issue sets no target for it. */
  readonly target: Target | undefined;
  /** NaN when it could not be measured (see `note`). */
  readonly measured: number;
  readonly unit: string;
  readonly verdict: Verdict;
  readonly note?: string;
}

export function figure(scenario: string, name: string, measured: number, unit: string, target?: Target, note?: string): Figure {
  let verdict: Verdict;
  if (!Number.isFinite(measured)) verdict = 'n/a';
  else if (!target) verdict = 'info';
  else verdict = meets(measured, target) ? 'pass' : 'FAIL';
  return { scenario, figure: name, target, measured, unit, verdict, ...(note ? { note } : {}) };
}

function meets(value: number, target: Target): boolean {
  // Figures are rounded for display; compare what is shown, so a printed "100 ms <= 100 ms" never fails.
  const shown = round(value);
  if (target.op === '<=') return shown <= target.value;
  if (target.op === '>=') return shown >= target.value;
  return shown === target.value;
}

export const atMost = (value: number): Target => ({ op: '<=', value });
export const atLeast = (value: number): Target => ({ op: '>=', value });
export const exactly = (value: number): Target => ({ op: '==', value });

export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const formatValue = (value: number, unit: string) => (Number.isFinite(value) ? `${round(value)}${unit ? ` ${unit}` : ''}` : '—');

export function formatTarget(f: Figure): string {
  if (!f.target) return '—';
  const op = f.target.op === '==' ? '=' : f.target.op === '<=' ? '≤' : '≥';
  return `${op} ${formatValue(f.target.value, f.unit)}`;
}

/** A Markdown table (readable in a terminal, pasteable into the README). */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [f.scenario, f.figure, formatTarget(f), formatValue(f.measured, f.unit), f.verdict]);
  const header = ['scenario', 'figure', 'target', 'measured', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = figures.filter((f) => f.note).map((f) => `- ${f.scenario} / ${f.figure}: ${f.note}`);
  return [line(header), rule, ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
