import type { RunProgress } from '../../services/generation/types.js';
import { formatCount } from './text.js';

/**
 * The tokens line of a run's final message: `Tokens: 1,234 (1,000 prompt + 234 completion)`, with a note when some
 * answers' usage was not reported, or `Tokens: not reported by the model server` when none was. Undefined when the
 * progress carries no counts.
 */
export function tokensLine(p: RunProgress): string | undefined {
  const t = p.tokens;
  if (!t) return undefined;
  if (t.reported === 0 && t.unreported === 0) return 'Tokens: 0 (no answer was generated)';
  if (t.reported === 0) return 'Tokens: not reported by the model server';
  const split = `${formatCount(t.prompt)} prompt + ${formatCount(t.completion)} completion`;
  const partial = t.unreported > 0 ? `; ${p.targetKind === 'Database' ? 'some rows' : 'some answers'} not reported by the model server` : '';
  return `Tokens: ${formatCount(t.prompt + t.completion)} (${split}${partial})`;
}
