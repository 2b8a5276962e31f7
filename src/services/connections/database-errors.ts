import { NotionError } from '../../errors.js';
import type { UserSettings } from '../settings/types.js';

/** Notion errors about the connections database, reworded so the user knows which database and what to do. */
export function aboutConnectionsDatabase(err: unknown, settings: UserSettings): unknown {
  if (!(err instanceof NotionError)) return err;
  const name = settings.connections.title ? `“${settings.connections.title}”` : 'your connections database';
  switch (err.code) {
    case 'object_not_found':
      return reworded(
        err,
        `Visen cannot reach ${name} in Notion: it was deleted, moved, or disconnected from your integration. To connect it, open it in Notion, click ••• at the top right, choose Connections, find your integration by name, and confirm; or pick another database in \`/visen settings\`.`,
      );
    case 'validation_error':
      return reworded(
        err,
        `${name} no longer has the properties Visen needs (${err.userMessage}). Open \`/visen settings\` to check it; Visen can add what is missing.`,
      );
    default:
      return err;
  }
}

/** The same Notion error (code, status, cause) with words for the user. */
function reworded(err: NotionError, userMessage: string): NotionError {
  return new NotionError(err.code, userMessage, { cause: err, ...(err.status !== undefined ? { status: err.status } : {}) });
}
