// A local OpenAI stand-in: a real HTTP server on 127.0.0.1 (random port) speaking the parts of OpenAI's API
// the app uses: GET /v1/models, GET /v1/models/{model}, POST /v1/chat/completions (streamed and not), with
// OpenAI's error bodies and injectable faults. Point the openai SDK at `baseUrl`.
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { specsDir } from '../specs.js';
import type { Responder } from './completions.js';
import { FaultQueue, type FaultSpec } from './faults.js';
import { createOpenAiServer, type RequestRecord, type ServerState, type StreamRate, type UsageMode } from './server.js';
import { openAiSpecValidator } from './spec-validation.js';
import type { StructuredOutputsMode } from './structured.js';

export type { ChatMessage, ChatRequest, Responder } from './completions.js';
export { defaultResponse, titleFromPrompt } from './completions.js';
export type { FaultKind, FaultSpec } from './faults.js';
export type { RequestRecord, StreamRate, UsageMode } from './server.js';
export type { ResponseFormat, StructuredOutputsMode } from './structured.js';

export interface OpenAiStandInOptions {
  /** Model ids the endpoint lists and accepts (default ['gpt-5-mini', 'gpt-4o-mini']). */
  models?: string[];
  /** Check our answers and the app's requests against OpenAI's OpenAPI document (default true; skipped when ../shared/specs is absent). */
  validateAgainstSpec?: boolean;
}

export interface OpenAiStandIn {
  /** `http://127.0.0.1:PORT/v1`, what the openai SDK takes as baseURL. */
  baseUrl: string;
  /** Registers a key (default: a fresh `sk-test-` + 32 characters) and returns it. Unknown keys get 401. */
  addKey(key?: string): string;
  /** Replaces the default, prompt-derived Markdown answer (undefined restores it). */
  setResponder(fn: Responder | undefined): void;
  /** How streamed answers are paced (default 24 characters a chunk, no pause). */
  setStreamRate(rate: StreamRate): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Delay before every answer. */
  setLatency(ms: number): void;
  /**
   * Holds every answer (requests are received and recorded, nothing is sent) until the returned function is called
   * (or the stand-in closes): a run is then certainly going while a test acts on it, however slow the machine.
   */
  holdAnswers(): () => void;
  /** How `stream_options.include_usage` is treated (default `openai`: as OpenAI does; see UsageMode). */
  setUsageMode(mode: UsageMode): void;
  /** How `response_format` `json_schema` is treated (default `openai`; `reject`: a server without structured outputs). */
  setStructuredOutputs(mode: StructuredOutputsMode): void;
  requests: RequestRecord[];
  /** Chunks or bodies of ours that the spec rejects, and malformed requests from the app: must stay empty. */
  failures: string[];
  close(): Promise<void>;
}

const DEFAULT_MODELS = ['gpt-5-mini', 'gpt-4o-mini'];
const DEFAULT_STREAM_RATE: StreamRate = { charsPerChunk: 24, chunkIntervalMs: 0 };
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export async function startOpenAiStandIn(options: OpenAiStandInOptions = {}): Promise<OpenAiStandIn> {
  const state: ServerState = {
    models: [...(options.models ?? DEFAULT_MODELS)],
    keys: new Set(),
    responder: undefined,
    streamRate: { ...DEFAULT_STREAM_RATE },
    faults: new FaultQueue(),
    latencyMs: 0,
    answersHeld: undefined,
    requests: [],
    failures: [],
    validator: options.validateAgainstSpec === false ? undefined : specValidator(),
    usageMode: 'openai',
    structuredOutputs: 'openai',
  };
  const { server, shutdown } = createOpenAiServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let releaseHeld: () => void = () => undefined;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    addKey(key) {
      const added = key ?? `sk-test-${Array.from({ length: 32 }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]).join('')}`;
      state.keys.add(added);
      return added;
    },
    setResponder(fn) {
      state.responder = fn;
    },
    setStreamRate(rate) {
      state.streamRate = { charsPerChunk: Math.max(1, Math.floor(rate.charsPerChunk)), chunkIntervalMs: Math.max(0, rate.chunkIntervalMs) };
    },
    injectFault(fault) {
      state.faults.add(fault);
    },
    clearFaults() {
      state.faults.clear();
    },
    setLatency(ms) {
      state.latencyMs = Math.max(0, ms);
    },
    holdAnswers() {
      if (state.answersHeld) return releaseHeld; // already held: one release lets them all go
      let release: () => void = () => undefined;
      state.answersHeld = new Promise<void>((resolve) => (release = resolve));
      releaseHeld = () => {
        state.answersHeld = undefined;
        release();
      };
      return releaseHeld;
    },
    setUsageMode(mode) {
      state.usageMode = mode;
    },
    setStructuredOutputs(mode) {
      state.structuredOutputs = mode;
    },
    requests: state.requests,
    failures: state.failures,
    async close() {
      releaseHeld();
      shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The spec validator, or undefined when ../shared/specs is absent (the test run says so once: specs-summary.ts).
 * With VISEN_REQUIRE_SPECS=1 a missing folder already fails when ../specs.js is imported.
 */
function specValidator() {
  return specsDir ? openAiSpecValidator() : undefined;
}
