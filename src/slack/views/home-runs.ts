import type { SectionBlock } from '@slack/types';
import { notionWebLink } from '../../services/home/list.js';
import type { HomeRun } from '../../services/home/types.js';
import { HomeBlock } from '../listeners/home/ids.js';
import { section } from './blocks.js';
import { inlineText, mrkdwnLink, notionUrlLabel, plural } from './text.js';

/** Runs in progress on the Home tab: the "In progress" block and the few words of each run's progress. */

/** At most this many runs are listed in the "In progress" block; the rest are counted. */
const MAX_LISTED_RUNS = 8;

export function activeRunsSection(runs: readonly HomeRun[]): SectionBlock {
  const lines = runs.slice(0, MAX_LISTED_RUNS).map((r) => {
    const target = mrkdwnLink(
      notionWebLink(r.targetUrl),
      r.targetTitle || notionUrlLabel(r.targetUrl, r.targetKind === 'Database' ? 'Notion database' : 'Notion page'),
      60,
    );
    return `• *${inlineText(r.connectionName, 80)}* → ${target}: ${runProgressText(r)}`;
  });
  if (runs.length > MAX_LISTED_RUNS) lines.push(`…and ${plural(runs.length - MAX_LISTED_RUNS, 'more run')}`);
  return section(`:hourglass_flowing_sand: *In progress*\n${lines.join('\n')}`, { blockId: HomeBlock.activeRuns });
}

/** Progress of a run in a few words: "12 of 40 rows · 2 skipped · 1 failed". */
export function runProgressText(run: HomeRun): string {
  if (run.state === 'starting') return 'starting…';
  const unit = run.targetKind === 'Database' ? 'row' : 'page';
  const parts: string[] = [];
  if (run.targetKind === 'Page' && run.total !== undefined && run.total <= 1) parts.push(run.done >= 1 ? 'written' : 'writing…');
  else if (run.total !== undefined) parts.push(`${run.done.toLocaleString('en-US')} of ${plural(run.total, unit)} done`);
  else parts.push(`${plural(run.done, unit)} done`);
  if (run.skipped > 0) parts.push(`${run.skipped.toLocaleString('en-US')} skipped`);
  if (run.failed > 0) parts.push(`${run.failed.toLocaleString('en-US')} failed`);
  return parts.join(' · ');
}
