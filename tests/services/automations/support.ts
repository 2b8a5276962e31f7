/**
 * The automations service over the real generation and connections services, the Notion and OpenAI stand-ins and a
 * fake clock: tests move the clock and call `runDue()`, so nothing waits for real time.
 */
import type { PropertyWrites } from '../../../src/adapters/notion/index.js';
import type { AutomationOptions } from '../../../src/services/automations/deps.js';
import { type AutomationsEngineHandle, createAutomationsService } from '../../../src/services/automations/service.js';
import type { AutomationNotice } from '../../../src/services/automations/types.js';
import type { GenerationService } from '../../../src/services/generation/types.js';
import { logger, recorder, text, titleRow, type UserFixture, type World } from '../generation/support.js';

export const POLL_MS = 60_000;

export class FakeClock {
  constructor(public ms = Date.now()) {}
  now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Automations {
  readonly service: AutomationsEngineHandle;
  readonly generation: GenerationService;
  readonly notices: AutomationNotice[];
}

/** An automations service (and its own generation service) over the world's store: a second one plays a restart. */
export function automationsFor(world: World, clock: FakeClock, options: Partial<AutomationOptions> = {}, generation = world.service()): Automations {
  const service = createAutomationsService({
    store: world.store,
    settings: world.settings,
    connections: world.connections,
    generation,
    notion: world.notionGateway,
    logger,
    clock,
    options: { pollIntervalMs: POLL_MS, tickMs: 3_600_000, ...options },
  });
  const notices: AutomationNotice[] = [];
  service.subscribe((notice) => void notices.push(notice));
  return { service, generation, notices };
}

/** A database of ideas: `Topic` is the input, `Summary` the output. */
export function ideasDatabase(world: World, fixture: UserFixture) {
  return world.notion.addDatabase({
    title: 'Ideas',
    parentPageId: fixture.rootId,
    properties: { Name: { title: {} }, Topic: { rich_text: {} }, Summary: { rich_text: {} } },
  });
}

export function addIdea(world: World, dataSourceId: string, name: string, topic: string) {
  return world.notion.addRow(dataSourceId, titleRow(name, { Topic: text(topic) }));
}

/** Makes the ideas database watched, and waits for its first run (the rows empty now). */
export async function watchIdeas(automations: Automations, fixture: UserFixture, databaseUrl: string) {
  const rec = recorder();
  const created = await automations.service.create(
    fixture.user,
    { targetUrl: databaseUrl, prompt: 'Summarise {{Topic}}', output: { kind: 'property', property: 'Summary' } },
    { trigger: 'Watch' },
    rec.listener,
    { test: true },
  );
  const first = await rec.ended;
  return { ...created, first };
}

/** Edits a row's properties as a person would in Notion (its last edited time moves). */
export async function editRow(world: World, fixture: UserFixture, rowId: string, properties: PropertyWrites) {
  await world.notionGateway.forSecret(fixture.secret).updatePageProperties(rowId, properties);
}

/** The plain text of a row's property in the stand-in. */
export function cell(world: World, rowId: string, name: string): string {
  const page = world.notion.getPage(rowId)!;
  const value = page.properties[name];
  return ((value?.[value.type] ?? []) as Array<{ plain_text: string }>).map((t) => t.plain_text).join('');
}

/** Chat completion requests the OpenAI stand-in answered so far. */
export function modelCalls(world: World): number {
  return world.openai.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
}

/** One poll interval later, what is due runs and everything it started ends. */
export async function nextPoll(automations: Automations, clock: FakeClock): Promise<void> {
  clock.advance(POLL_MS);
  await automations.service.runDue();
  await automations.service.idle();
}
