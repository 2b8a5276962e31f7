import { ThreadIds } from '../listeners/threads/ids.js';
import type { ModalViewLike, ViewStateValue } from './generate-modal-state.js';
import { DEFAULT_THREAD_PROMPT, decodeLocation, KEEP_CURRENT_VALUE, type ThreadLocation, type ThreadModalValues } from './thread-modal.js';

/** The state parser of `thread-modal.ts`: the submitted view back to where the shortcut was used and what was chosen. Pure. */
export function readThreadModal(view: ModalViewLike): { location: ThreadLocation | undefined; values: ThreadModalValues } {
  const values = view.state?.values ?? {};
  const get = (block: string, action: string): ViewStateValue | undefined => values[block]?.[action];
  const include = get(ThreadIds.includeBlock, ThreadIds.includeAction)?.selected_option?.value;
  const output = get(ThreadIds.outputBlock, ThreadIds.outputAction)?.selected_option?.value;
  return {
    location: decodeLocation(view.private_metadata),
    values: {
      targetUrl: (get(ThreadIds.targetBlock, ThreadIds.targetAction)?.value ?? '').trim(),
      recentTarget: get(ThreadIds.recentBlock, ThreadIds.recentAction)?.selected_option?.value ?? undefined,
      prompt: get(ThreadIds.promptBlock, ThreadIds.promptAction)?.value ?? DEFAULT_THREAD_PROMPT,
      include: include === 'message' ? 'message' : 'thread',
      output: output === 'new-page' || output === 'new-row' ? output : 'append',
      keepCurrent: (get(ThreadIds.keepBlock, ThreadIds.keepAction)?.selected_options ?? []).some((o) => o.value === KEEP_CURRENT_VALUE),
    },
  };
}
