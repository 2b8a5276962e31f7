/**
 * Steering a run that may be on another worker (team mode): Cancel and a preview's two buttons. A click lands on
 * whichever worker Slack picks; the run lives in the registry of the worker that runs it, or in none for a moment
 * (queued, or being taken over after its worker died). The port carries the request to every worker (the one that
 * runs the run applies it) and keeps it for a while, so the worker that launches or resumes the run next applies it
 * before doing any work (RunLauncher takes it); services/generation/run-steering.ts decides what to send. One
 * process has no other worker: `localRunControl` does nothing. The Redis implementation is team/run-control.ts.
 */
export type RunControlAction = 'cancel' | 'confirm-preview' | 'cancel-preview';

export type RunControlHandler = (runId: string, action: RunControlAction) => void;

export interface RunControl {
  /** True where runs may be on another worker (team mode): the service then asks through this port. */
  readonly acrossWorkers: boolean;
  /**
   * Sends `action` to whichever worker runs `runId`, and keeps it for the worker that launches or resumes the run
   * next. A cancel replaces a kept preview answer; a preview answer never replaces a kept cancel.
   */
  request(runId: string, action: RunControlAction): Promise<void>;
  /** Calls `handler` on this worker for every request (it ignores runs it does not run); returns the unsubscribe. */
  onRequest(handler: RunControlHandler): () => void;
  /** The request kept for this run, taken (so it is applied once) as a worker launches or resumes it. */
  takeRequest(runId: string): Promise<RunControlAction | undefined>;
  /** A preview is answered once across workers: true for the first caller for this run, false for every later one. */
  decideOnce(runId: string): Promise<boolean>;
  /** Tells every other worker that this run's progress moved (best effort: a lost one is caught up by the next). */
  announceProgress(runId: string): void;
  /** Calls `handler` on this worker for every run whose progress moved on another worker; returns the unsubscribe. */
  onProgress(handler: (runId: string) => void): () => void;
  close(): Promise<void>;
}

/** One process: every run is in its own registry, so there is nothing to send, keep or decide across workers. */
export function localRunControl(): RunControl {
  return {
    acrossWorkers: false,
    request: async () => undefined,
    onRequest: () => () => undefined,
    takeRequest: async () => undefined,
    decideOnce: async () => true,
    announceProgress: () => undefined,
    onProgress: () => () => undefined,
    close: async () => undefined,
  };
}
