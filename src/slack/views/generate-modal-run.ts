import type { KnownBlock } from '@slack/types';
import { GenerateIds } from '../listeners/generate/ids.js';
import { MAX_SCHEDULE_CHARS } from '../listeners/generate/request-rules.js';
import { inputBlock, option, textInput, WITH_EMOJI } from './blocks.js';
import type { DescribedTarget } from './generate-modal-metadata.js';

/**
 * The generate modal's "Run" part: once (a run now), whenever rows are added or changed (databases: `--watch`), or on
 * a schedule (`--every`, with the Schedule field). The state parser reads it back with `readRunChoice`.
 */
export const RUN_CHOICES = ['once', 'watch', 'schedule'] as const;
export type RunChoice = (typeof RUN_CHOICES)[number];

const RUN_LABELS: Record<RunChoice, { text: string; description: string }> = {
  once: { text: 'Once, now', description: 'A single run' },
  watch: { text: 'Whenever rows are added or changed', description: 'Databases: fills new rows, and rows whose inputs changed' },
  schedule: { text: 'On a schedule', description: 'In your time zone; write the schedule below' },
};

/** The choice (a page cannot be watched: that option is left out once the link is known to be a page) and the schedule. */
export function runBlocks(kind: DescribedTarget['kind'] | undefined, run: RunChoice, schedule: string): KnownBlock[] {
  const choices = RUN_CHOICES.filter((c) => c !== 'watch' || kind !== 'Page');
  const options = choices.map((c) => option(RUN_LABELS[c].text, c, { description: RUN_LABELS[c].description, ...WITH_EMOJI }));
  const initial = options.find((o) => o.value === run) ?? options[0];
  return [
    inputBlock({
      blockId: GenerateIds.runBlock,
      optional: true,
      label: 'Run',
      element: { type: 'radio_buttons', action_id: GenerateIds.runAction, options, ...(initial ? { initial_option: initial } : {}) },
      ...WITH_EMOJI,
    }),
    inputBlock({
      blockId: GenerateIds.scheduleBlock,
      optional: true,
      label: 'Schedule',
      hint: 'With “On a schedule”: hourly, daily 09:00, weekdays 09:00, mondays 08:30, or a cron expression such as 0 9 * * 1-5.',
      element: textInput(GenerateIds.scheduleAction, { maxLength: MAX_SCHEDULE_CHARS, placeholder: 'weekdays 09:00', initialValue: schedule, ...WITH_EMOJI }),
      ...WITH_EMOJI,
    }),
  ];
}

export function readRunChoice(value: string | undefined): RunChoice {
  return RUN_CHOICES.find((c) => c === value) ?? 'once';
}
