/** `--watch` and `--every` in `/visen generate`: which combinations make sense, and the automation asked for. Pure. */

/** `--watch` or `--every`: the automation asked for (the time zone is the user's, looked up after the ack). */
export type RequestedAutomation = { readonly trigger: 'Watch' } | { readonly trigger: 'Schedule'; readonly schedule: string };

/** The parsed options these rules read. */
export interface AutomationFlags {
  readonly watch: boolean;
  readonly every: string | undefined;
  readonly preview: number | undefined;
  readonly newPage: boolean;
  readonly noContext: boolean;
}

/** `--watch` fills a database's rows as they come: not with a schedule, a page's options, or a preview (runs now only). */
export function automationProblems(flags: AutomationFlags): string[] {
  if ((flags.watch || flags.every !== undefined) && flags.preview !== undefined) {
    return ['`--preview` is for a run started now; leave it out with `--watch` or `--every`.'];
  }
  if (!flags.watch) return [];
  if (flags.every !== undefined) {
    return ['Choose one: `--watch` fills a database’s rows whenever they are added or changed; `--every "schedule"` runs on a schedule.'];
  }
  if (flags.newPage || flags.noContext) {
    return ['`--watch` is for a database (it fills rows as they are added or changed); for a page, use `--every "schedule"`.'];
  }
  return [];
}

export function automationOf(flags: AutomationFlags): { automation?: RequestedAutomation } {
  if (flags.watch) return { automation: { trigger: 'Watch' } };
  if (flags.every !== undefined) return { automation: { trigger: 'Schedule', schedule: flags.every } };
  return {};
}
