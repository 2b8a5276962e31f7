/**
 * One benchmark environment: the Slack, Notion and OpenAI stand-ins in this process and the app in a child
 * process, pointed at them only through the environment (as `npm start` would be), on a fresh data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NotionStandIn, type NotionStandInOptions, startNotionStandIn } from '../../tests/stand-ins/notion/index.js';
import { type OpenAiStandIn, type OpenAiStandInOptions, startOpenAiStandIn } from '../../tests/stand-ins/openai/index.js';
import { type SlackStandIn, type SlackStandInOptions, startSlackStandIn } from '../../tests/stand-ins/slack/index.js';
import { type AppProcess, type AppRuntime, startAppProcess } from './app-process.js';

export interface BenchEnvironment {
  readonly slack: SlackStandIn;
  readonly notion: NotionStandIn;
  readonly openai: OpenAiStandIn;
  readonly app: AppProcess;
  readonly env: Record<string, string>;
  readonly dataDir: string;
  /** Stops the app (SIGTERM) and the stand-ins, and removes the data dir. */
  close(): Promise<void>;
}

export interface EnvironmentOptions {
  readonly runtime: AppRuntime;
  readonly log: (line: string) => void;
  readonly env?: Record<string, string>;
  readonly slack?: SlackStandInOptions;
  readonly notion?: NotionStandInOptions;
  readonly openai?: OpenAiStandInOptions;
}

/** `npm start`'s default log level; the app's stdout is drained by the driver as a terminal would. */
const APP_LOG_LEVEL = 'info';

export async function startEnvironment(o: EnvironmentOptions): Promise<BenchEnvironment> {
  const vendors = await startEnvironmentVendors(o);
  const { slack, notion, openai } = vendors;
  const root = mkdtempSync(join(tmpdir(), 'visen-bench-'));
  const dataDir = join(root, 'data');
  const env: Record<string, string> = { ...vendors.env(dataDir), ...o.env };
  const app = startAppProcess(env, { runtime: o.runtime, cwd: root, log: o.log });
  try {
    await app.waitForOutput(/Visen is connected to Slack/, 60_000);
    await slack.waitForConnection(10_000);
  } catch (err) {
    await app.kill();
    await vendors.close();
    throw err;
  }
  return {
    slack,
    notion,
    openai,
    app,
    env,
    dataDir,
    async close() {
      await app.stop();
      await vendors.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The three stand-ins, and the environment that points an app at them (as `npm start` would be). */
export async function startEnvironmentVendors(o: Pick<EnvironmentOptions, 'slack' | 'notion' | 'openai'>) {
  // Spec checks cost the stand-ins time per request, which would be charged to the app's figures.
  const [slack, notion, openai] = await Promise.all([
    startSlackStandIn(o.slack),
    startNotionStandIn({ checkSpec: false, ...o.notion }),
    startOpenAiStandIn({ validateAgainstSpec: false, ...o.openai }),
  ]);
  return {
    slack,
    notion,
    openai,
    env: (dataDir: string): Record<string, string> => ({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      NOTION_BASE_URL: notion.baseUrl,
      OPENAI_BASE_URL: openai.baseUrl,
      VISEN_DATA_DIR: dataDir,
      LOG_LEVEL: APP_LOG_LEVEL,
    }),
    close: () => Promise.all([slack.close(), notion.close(), openai.close()]).then(() => undefined),
  };
}
