import { NotionError, StoreError, VisenError } from '../../errors.js';
import type { HomeFault, HomeFaultCode } from './types.js';

const FAULT_CODES: readonly HomeFaultCode[] = [
  'notion_unauthorized',
  'connections_database_missing',
  'notion_unreachable',
  'notion_busy',
  'notion_rejected',
  'store_busy',
  'store_unavailable',
  'unexpected',
];

/** Faults after which the last list read is still worth showing (marked stale): Notion will likely be back. */
const TRANSIENT_FAULTS: ReadonlySet<HomeFaultCode> = new Set(['notion_unreachable', 'notion_busy', 'unexpected']);

/** Which fault an error is, for the words the view shows. */
export function faultOf(err: unknown, at: Date): HomeFault {
  const detail = err instanceof VisenError ? err.userMessage : undefined;
  return { code: faultCodeOf(err), detail, at: at.toISOString() };
}

export function isTransient(fault: HomeFault): boolean {
  return TRANSIENT_FAULTS.has(fault.code);
}

/** A fault of the local store itself: nothing can be written back to it. */
export function isStoreFault(fault: HomeFault): boolean {
  return fault.code === 'store_busy' || fault.code === 'store_unavailable';
}

/** A fault as stored with the cached list; undefined when it is not one this version writes. */
export function readFault(stored: unknown): HomeFault | undefined {
  const f = stored as Record<string, unknown> | undefined;
  if (!f || typeof f !== 'object' || typeof f.at !== 'string') return undefined;
  const code = FAULT_CODES.find((c) => c === f.code);
  if (!code) return undefined;
  return { code, detail: typeof f.detail === 'string' ? f.detail : undefined, at: f.at };
}

function faultCodeOf(err: unknown): HomeFaultCode {
  if (err instanceof StoreError) return err.code === 'locked' ? 'store_busy' : 'store_unavailable';
  if (err instanceof NotionError) {
    switch (err.code) {
      case 'unauthorized':
        return 'notion_unauthorized';
      case 'object_not_found':
      case 'restricted_resource':
        return 'connections_database_missing';
      case 'rate_limited':
        return 'notion_busy';
      case 'unavailable':
      case 'timeout':
      case 'outcome_unknown':
      case 'conflict_error':
        return 'notion_unreachable';
      case 'validation_error':
      case 'unknown':
        return 'notion_rejected';
    }
  }
  return 'unexpected';
}
