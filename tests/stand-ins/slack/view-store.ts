// Views the app opened, pushed, updated and published, kept as Slack keeps them: a stack of at most three modals
// per user (https://docs.slack.dev/surfaces/modals, "push_limit_reached ... the limit is 3", views.push page), one
// Home tab view per user, each view with an id and a hash that changes on every update
// (https://docs.slack.dev/reference/methods/views.update: `hash_conflict`, `not_found`).
import { newViewHash, newViewId } from './ids.js';
import { viewProblems } from './limits.js';
import type { AnyObject, View, ViewRecords } from './types.js';

export const MODAL_STACK_LIMIT = 3;

interface Entry {
  view: View;
  userId: string;
  open: boolean;
}

export type ViewError = 'not_found' | 'hash_conflict' | 'push_limit_reached' | 'duplicate_external_id';

export class ViewStore {
  readonly records: ViewRecords = { opened: [], updated: [], pushed: [], published: new Map(), closed: [], errorsShown: [] };
  private readonly entries = new Map<string, Entry>();
  /** userId -> ids of the open modal stack, root first. Slack shows one modal (stack) at a time. */
  private readonly stacks = new Map<string, string[]>();
  private readonly homeByUser = new Map<string, string>();

  constructor(private readonly identity: { teamId: string; appId: string; botId: string }) {}

  get(viewId: string): View | undefined {
    const entry = this.entries.get(viewId);
    return entry?.open ? entry.view : undefined;
  }

  ownerOf(viewId: string): string | undefined {
    return this.entries.get(viewId)?.userId;
  }

  stackOf(userId: string): View[] {
    return (this.stacks.get(userId) ?? []).map((id) => this.entries.get(id)!.view);
  }

  homeOf(userId: string): View | undefined {
    const id = this.homeByUser.get(userId);
    return id ? this.entries.get(id)?.view : undefined;
  }

  open(userId: string, input: AnyObject): View | { error: ViewError } {
    if (this.externalIdTaken(input.external_id)) return { error: 'duplicate_external_id' };
    for (const view of this.stackOf(userId)) this.markClosed(view.id);
    const id = newViewId();
    const view = this.materialize(id, input, { root: id, previous: null });
    this.entries.set(id, { view, userId, open: true });
    this.stacks.set(userId, [id]);
    this.records.opened.push(view);
    return view;
  }

  /** Pushes onto the stack holding `fromViewId`, else onto the user's open stack. */
  push(userId: string, fromViewId: string | undefined, input: AnyObject): View | { error: ViewError } {
    const owner = fromViewId ? (this.ownerOf(fromViewId) ?? userId) : userId;
    const stack = this.stacks.get(owner);
    if (!stack || stack.length === 0) return { error: 'not_found' };
    if (stack.length >= MODAL_STACK_LIMIT) return { error: 'push_limit_reached' };
    if (this.externalIdTaken(input.external_id)) return { error: 'duplicate_external_id' };
    const id = newViewId();
    const view = this.materialize(id, input, { root: stack[0]!, previous: stack.at(-1)! });
    this.entries.set(id, { view, userId: owner, open: true });
    stack.push(id);
    this.records.pushed.push(view);
    return view;
  }

  update(ref: { viewId?: unknown; externalId?: unknown }, input: AnyObject, hash?: unknown): View | { error: ViewError } {
    const id = typeof ref.viewId === 'string' && ref.viewId ? ref.viewId : this.idForExternalId(ref.externalId);
    const entry = id ? this.entries.get(id) : undefined;
    if (!entry?.open) return { error: 'not_found' };
    if (typeof hash === 'string' && hash !== '' && hash !== entry.view.hash) return { error: 'hash_conflict' };
    const view = this.materialize(entry.view.id, { ...input, type: entry.view.type }, { root: entry.view.root_view_id, previous: entry.view.previous_view_id });
    entry.view = view;
    this.records.updated.push(view);
    return view;
  }

  publish(userId: string, input: AnyObject, hash?: unknown): View | { error: ViewError } {
    const existing = this.homeOf(userId);
    if (existing && typeof hash === 'string' && hash !== '' && hash !== existing.hash) return { error: 'hash_conflict' };
    const id = existing?.id ?? newViewId();
    const view = this.materialize(id, input, { root: null, previous: null });
    this.entries.set(id, { view, userId, open: true });
    this.homeByUser.set(userId, id);
    const history = this.records.published.get(userId) ?? [];
    history.push(view);
    this.records.published.set(userId, history);
    return view;
  }

  /** Closes the top view (`all` closes the whole stack), as a close button or an empty submission ack does. */
  close(viewId: string, all = false): void {
    const userId = this.ownerOf(viewId);
    const stack = userId ? this.stacks.get(userId) : undefined;
    if (!stack?.includes(viewId)) return;
    const closing = all ? stack.splice(0) : stack.splice(stack.indexOf(viewId));
    for (const id of closing) this.markClosed(id);
  }

  /**
   * Applies a view_submission ack (https://docs.slack.dev/surfaces/modals, "Responding to view submissions"):
   * none closes the submitted view, `clear` closes all, `update` replaces it, `push` adds one, `errors` shows messages
   * next to input blocks. Returns the problems found (recorded as failures by the caller).
   */
  applySubmissionAck(viewId: string, payload: AnyObject | undefined): string[] {
    const view = this.get(viewId);
    if (!view) return [`view_submission ack for view ${viewId}, which is not open`];
    const action = payload?.response_action;
    if (action === undefined) {
      if (payload && Object.keys(payload).length > 0) return [`view_submission ack payload without response_action: ${JSON.stringify(payload).slice(0, 200)}`];
      this.close(viewId);
      return [];
    }
    if (action === 'clear') {
      this.close(viewId, true);
      return [];
    }
    if (action === 'errors') return this.showErrors(view, payload!.errors);
    if (action === 'update' || action === 'push') {
      const problems = viewProblems(payload!.view, '/view');
      if (problems.length > 0) return [`view_submission ack response_action ${action}: invalid view: ${problems.join('; ')}`];
      if (payload!.view.type !== 'modal') return [`view_submission ack response_action ${action}: view type must be modal`];
      if (action === 'update') {
        const updated = this.update({ viewId }, payload!.view);
        return 'error' in updated ? [`view_submission ack response_action update: ${updated.error}`] : [];
      }
      const pushed = this.push(this.ownerOf(viewId)!, viewId, payload!.view);
      return 'error' in pushed ? [`view_submission ack response_action push: ${pushed.error}`] : [];
    }
    return [`view_submission ack with unknown response_action ${JSON.stringify(action)}`];
  }

  private showErrors(view: View, errors: unknown): string[] {
    if (!errors || typeof errors !== 'object' || Object.keys(errors).length === 0) {
      return ['view_submission ack response_action errors without an errors object'];
    }
    // Errors are shown under input blocks only, keyed by their block_id.
    const inputBlockIds = new Set(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id));
    const problems = Object.keys(errors)
      .filter((blockId) => !inputBlockIds.has(blockId))
      .map((blockId) => `view_submission ack errors: ${JSON.stringify(blockId)} is not the block_id of an input block in view ${view.id}`);
    this.records.errorsShown.push({ viewId: view.id, errors: errors as Record<string, string> });
    return problems;
  }

  private markClosed(id: string): void {
    const entry = this.entries.get(id);
    if (!entry?.open) return;
    entry.open = false;
    this.records.closed.push(entry.view);
  }

  private idForExternalId(externalId: unknown): string | undefined {
    if (typeof externalId !== 'string' || externalId === '') return undefined;
    for (const [id, entry] of this.entries) if (entry.open && entry.view.external_id === externalId) return id;
    return undefined;
  }

  private externalIdTaken(externalId: unknown): boolean {
    return this.idForExternalId(externalId) !== undefined;
  }

  private materialize(id: string, input: AnyObject, links: { root: string | null; previous: string | null }): View {
    const view: View = {
      id,
      team_id: this.identity.teamId,
      type: input.type,
      blocks: structuredClone(input.blocks ?? []),
      private_metadata: input.private_metadata ?? '',
      callback_id: input.callback_id ?? '',
      external_id: input.external_id ?? '',
      state: { values: {} },
      hash: newViewHash(),
      clear_on_close: Boolean(input.clear_on_close),
      notify_on_close: Boolean(input.notify_on_close),
      root_view_id: links.root,
      previous_view_id: links.previous,
      app_id: this.identity.appId,
      app_installed_team_id: this.identity.teamId,
      bot_id: this.identity.botId,
    };
    if (input.type === 'modal') {
      view.title = structuredClone(input.title);
      if (input.submit) view.submit = structuredClone(input.submit);
      view.close = structuredClone(input.close ?? { type: 'plain_text', text: 'Cancel', emoji: true });
    }
    return view;
  }
}
