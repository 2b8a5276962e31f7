/**
 * Vitest's global setup: one line for the whole run when the vendors' specs folder is absent, instead of one per
 * test file that starts a stand-in. With VISEN_REQUIRE_SPECS=1 importing specs.ts already fails (CI).
 */
import { specsCandidate, specsDir } from '../stand-ins/specs.js';
import { redisAvailable, redisSkipReason } from './redis.js';

export default function announceSkippedSpecChecks(): void {
  if (!redisAvailable) console.info(redisSkipReason);
  if (specsDir) return;
  console.info(
    `Skipping the stand-ins' checks against the vendors' published specs (Slack's Web API and manifest schema, ` +
      `Notion's and OpenAI's OpenAPI documents): the folder ${specsCandidate} is absent ` +
      '(set VISEN_REQUIRE_SPECS=1 to make that an error).',
  );
}
