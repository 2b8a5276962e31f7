import type { RunRecord } from './run-store.js';
import { reportedTotal, type TokenTally } from './tokens.js';
import type { PreviewProgress } from './types.js';

/** A run's preview as its progress shows it: the rows, the preview's tokens and the estimate for the whole run. */
export function previewProgressOf(record: RunRecord): PreviewProgress | undefined {
  const preview = record.preview;
  if (!preview) return undefined;
  const used = difference(record.tokens, preview.tokensBefore);
  const tokens = reportedTotal(used);
  const atLeast = record.total === undefined;
  const rowsToDo = record.total ?? preview.rowsSeen;
  // Tokens per previewed row: the failed rows' attempts are spent too, so they count among the rows generated.
  const generated = preview.rows.length + preview.failed;
  const perRow = tokens !== undefined && used.reported > 0 && generated > 0 ? tokens / generated : undefined;
  return {
    reason: preview.reason,
    size: preview.size,
    phase: preview.phase,
    rows: preview.rows.map((row) => ({ ...row, values: row.values.map((v) => ({ ...v })) })),
    failed: preview.failed,
    tokens,
    rowsToDo,
    atLeast,
    estimatedTokens: perRow === undefined ? undefined : Math.round(perRow * rowsToDo),
  };
}

function difference(now: TokenTally, before: TokenTally): TokenTally {
  return {
    prompt: now.prompt - before.prompt,
    completion: now.completion - before.completion,
    reported: now.reported - before.reported,
    unreported: now.unreported - before.unreported,
  };
}
