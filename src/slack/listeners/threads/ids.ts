/**
 * Ids of the "Send to Notion" feature: the message shortcut (as declared in manifest.yml), its modal's callback,
 * blocks and actions, and the note's "Share in thread" button. View builders emit them and listeners match on them.
 */
export const ThreadIds = {
  shortcutCallback: 'send_to_notion',
  modalCallback: 'visen_thread_modal',

  recentBlock: 'thread_recent',
  recentAction: 'thread_recent_target',
  targetBlock: 'thread_target',
  targetAction: 'thread_target_url',
  promptBlock: 'thread_prompt',
  promptAction: 'thread_prompt_input',
  includeBlock: 'thread_include',
  includeAction: 'thread_include_choice',
  outputBlock: 'thread_output',
  outputAction: 'thread_output_choice',
  keepBlock: 'thread_keep',
  keepAction: 'thread_keep_current',
  statusBlock: 'thread_status',

  shareAction: 'thread_share',
} as const;
