/**
 * Ids of the generate feature: the modal's callback, its blocks and actions, and the progress message's
 * Cancel button and preview buttons. View builders emit them and listeners match on them, so the two never drift apart.
 */
export const GenerateIds = {
  modalCallback: 'visen_generate_modal',

  targetBlock: 'gen_target',
  targetAction: 'gen_target_entered',
  targetStatusBlock: 'gen_target_status',
  promptBlocks: ['gen_prompt', 'gen_prompt_2', 'gen_prompt_3'],
  promptAction: 'gen_prompt_input',
  promptMoreBlock: 'gen_prompt_more',
  promptMoreAction: 'gen_prompt_add_part',
  outputBlock: 'gen_output',
  outputAction: 'gen_output_choice',
  intoSelectBlock: 'gen_into_select',
  intoTextBlock: 'gen_into_text',
  intoAction: 'gen_into_property',
  newOptionsBlock: 'gen_new_options',
  newOptionsAction: 'gen_new_options_choice',
  placeholdersBlock: 'gen_placeholders',
  onlyEmptyBlock: 'gen_only_empty',
  onlyEmptyAction: 'gen_only_empty_choice',
  readPageBlock: 'gen_read_page',
  readPageAction: 'gen_read_page_choice',
  previewBlock: 'gen_preview',
  previewAction: 'gen_preview_choice',
  previewRowsBlock: 'gen_preview_rows',
  previewRowsAction: 'gen_preview_rows_input',
  limitBlock: 'gen_limit',
  limitAction: 'gen_limit_input',
  runBlock: 'gen_run',
  runAction: 'gen_run_choice',
  scheduleBlock: 'gen_schedule',
  scheduleAction: 'gen_schedule_input',
  connectionNameBlock: 'gen_connection_name',
  connectionNameAction: 'gen_connection_name_input',
  noticeBlock: 'gen_notice',

  progressActionsBlock: 'gen_progress_actions',
  cancelAction: 'gen_cancel_run',
  previewActionsBlock: 'gen_preview_actions',
  previewConfirmAction: 'gen_preview_confirm',
  previewCancelAction: 'gen_preview_cancel',
} as const;

export type PromptBlockId = (typeof GenerateIds.promptBlocks)[number];
