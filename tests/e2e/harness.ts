/**
 * The end-to-end harness: the three stand-ins plus Visen started through `startVisen`, the same code path as
 * `npm start`, pointed at the stand-ins only through environment variables. Log lines are captured in memory
 * so tests can search them (for secrets, say).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { HostResolver } from '../../src/adapters/net/guarded-fetch.js';
import type { AutomationClock } from '../../src/services/automations/deps.js';
import { startVisen, type VisenHandle } from '../../src/visen.js';
import { type NotionStandIn, startNotionStandIn } from '../stand-ins/notion/index.js';
import { type OpenAiStandIn, startOpenAiStandIn } from '../stand-ins/openai/index.js';
import { type SlackStandIn, startSlackStandIn } from '../stand-ins/slack/index.js';

export interface HarnessOptions {
  /** Extra environment for Visen (LOG_LEVEL, VISEN_ALLOWED_USERS, ...). */
  env?: Record<string, string>;
  notion?: Parameters<typeof startNotionStandIn>[0];
  openai?: Parameters<typeof startOpenAiStandIn>[0];
  slack?: Parameters<typeof startSlackStandIn>[0];
  /** Resolves the host names of users' base URLs (default: the system resolver). */
  resolveHost?: HostResolver;
  /** The clock automations go by (a fake one: tests move it and call `visen.services.automations.runDue()`). */
  automationClock?: AutomationClock;
}

export interface Harness {
  readonly slack: SlackStandIn;
  readonly notion: NotionStandIn;
  readonly openai: OpenAiStandIn;
  /** The running app; replaced by restart(). */
  readonly visen: VisenHandle;
  /** The environment Visen was started with. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  logLines(): string[];
  /** Stops Visen cleanly and starts it again on the same data dir (the stand-ins keep their state). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const [slack, notion, openai] = await Promise.all([startSlackStandIn(options.slack), startNotionStandIn(options.notion), startOpenAiStandIn(options.openai)]);
  const dataDir = join(mkdtempSync(join(tmpdir(), 'visen-e2e-')), 'data');
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    NOTION_BASE_URL: notion.baseUrl,
    OPENAI_BASE_URL: openai.baseUrl,
    VISEN_DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });

  const start = async () => {
    const handle = await startVisen(env, {
      logDestination,
      ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
      ...(options.automationClock ? { automationClock: options.automationClock } : {}),
    });
    await slack.waitForConnection();
    return handle;
  };
  let visen = await start();

  return {
    slack,
    notion,
    openai,
    get visen() {
      return visen;
    },
    env,
    dataDir,
    logLines: () => [...lines],
    async restart() {
      await visen.stop();
      visen = await start();
    },
    async stop() {
      await visen.stop();
      await Promise.all([slack.close(), notion.close(), openai.close()]);
    },
  };
}
