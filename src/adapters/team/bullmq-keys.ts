/**
 * Where team mode's BullMQ queues keep their keys in Redis. BullMQ names every key `<prefix>:<queue>:<suffix>`
 * (its QueueKeys), so both queues share one prefix and differ by queue name: `visen:bullmq:runs:…` and
 * `visen:bullmq:automations:…`. The prefix is apart from the store's `visen::`, the run control's `visen:control:`,
 * the locks' `visen:lock:` and the connection holds' `visen:connection-run:`, so no key of one can be another's.
 */
export const BULLMQ_PREFIX = 'visen:bullmq';

/** The queue of started runs (run-queue.ts). */
export const RUN_QUEUE_NAME = 'runs';

/** The queue of automations' job schedulers (automation-triggers.ts). */
export const AUTOMATIONS_QUEUE_NAME = 'automations';
