/**
 * Where the vendors' published API specs live for the stand-ins' spec checks (see /work/shared/specs/README.md):
 * `../shared/specs` beside the repository. A fresh clone elsewhere has no such folder, so checks that need it skip,
 * and the test run says so in one line (tests/support/specs-summary.ts, vitest's global setup); `.ci/run` sets
 * VISEN_REQUIRE_SPECS=1, and then a missing folder fails every test file that imports this module, with a message
 * saying what is missing.
 *
 *   import { specsDir, loadJsonSpec } from './specs.js';
 *   describe.skipIf(!specsDir)('spec check', () => { const spec = loadJsonSpec('slack/web-api/slack_web_openapi_v2.json'); ... });
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above tests/stand-ins). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the specs folder is looked for. */
export const specsCandidate = path.resolve(repoRoot, '..', 'shared', 'specs');
const present = existsSync(specsCandidate) && statSync(specsCandidate).isDirectory();

if (!present && process.env.VISEN_REQUIRE_SPECS === '1') {
  // Thrown at import, so no test that relies on the specs can pass (or be skipped) by accident in CI.
  throw new Error(
    `VISEN_REQUIRE_SPECS=1 but the vendor specs folder ${specsCandidate} is missing. ` +
      "Put ../shared/specs (the vendors' published API specs, see its README) beside the repository.",
  );
}

/** Absolute path of `../shared/specs`, or undefined when the folder is absent. */
export const specsDir: string | undefined = present ? specsCandidate : undefined;

/** The specs folder, or a clear error when it is absent. `what` names the check that needs it. */
export function requireSpecs(what = 'this check'): string {
  if (!specsDir) {
    throw new Error(`${what} needs the vendor specs folder ${specsCandidate} (../shared/specs beside the repository); it is missing.`);
  }
  return specsDir;
}

/** Parses a JSON file under the specs folder, e.g. `loadJsonSpec('slack/web-api/slack_web_openapi_v2.json')`. */
export function loadJsonSpec<T = any>(relativePath: string): T {
  const file = path.join(requireSpecs(relativePath), relativePath);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}
