import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, sanitizeSlackLogArgument, toSlackLogger } from '../../src/logger.js';

function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

const submission = {
  envelope_id: 'e1',
  payload: {
    type: 'view_submission',
    user: { id: 'U1' },
    view: {
      callback_id: 'settings',
      private_metadata: '{"x":1}',
      state: { values: { notion: { secret: { type: 'plain_text_input', value: 'a-secret-without-known-prefix' } } } },
    },
  },
};

describe('sanitizeSlackLogArgument', () => {
  it('hides every typed value in a JSON payload logged as a string, keeping its shape', () => {
    const out = String(sanitizeSlackLogArgument(`Received a message on the WebSocket: ${JSON.stringify(submission)}`));
    expect(out).not.toContain('a-secret-without-known-prefix');
    expect(out).toContain('Received a message on the WebSocket: ');
    expect(out).toContain('"callback_id":"settings"');
    expect(out).toContain('"state":"[hidden]"');
  });

  it('drops a payload that does not parse', () => {
    const out = String(sanitizeSlackLogArgument('payload: {"value":"half-a-secret'));
    expect(out).toBe('payload: [payload omitted]');
  });

  it('hides typed values in objects and masks known token shapes in plain strings', () => {
    expect(JSON.stringify(sanitizeSlackLogArgument(submission))).not.toContain('a-secret-without-known-prefix');
    expect(sanitizeSlackLogArgument('token xoxb-123456789-abcdef here')).toBe('token [redacted] here');
  });
});

describe('createLogger', () => {
  it('redacts secret-bearing fields and token shapes in our own lines', () => {
    const { lines, logger } = captured();
    logger.info({ settings: { notionSecret: 'plain-notion', openaiKey: 'plain-openai' }, apiKey: 'x' }, 'saving sk-abcdefghijkl');
    const text = lines.join('');
    expect(text).not.toMatch(/plain-notion|plain-openai|sk-abcdefghijkl/);
    expect(text).toContain('[redacted]');
  });

  it('routes the Slack SDK logger through the sanitizer at every level', () => {
    const { lines, logger } = captured();
    const slack = toSlackLogger(logger);
    slack.debug('Received a message on the WebSocket:', JSON.stringify(submission));
    slack.error(new Error('failed with xapp-1-A1-secretvalue'));
    const text = lines.join('');
    expect(text).not.toContain('a-secret-without-known-prefix');
    expect(text).not.toContain('xapp-1-A1-secretvalue');
    expect(lines).toHaveLength(2);
  });

  it('does not even read the SDK logs of a level that is off (every envelope is logged at debug)', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const slack = toSlackLogger(createLogger({ level: 'info', destination }));
    let reads = 0;
    const envelope = {
      get payload() {
        reads++;
        return submission.payload;
      },
    };
    slack.debug('Received a message on the WebSocket:', envelope);
    slack.info('Now connected to Slack');
    expect(reads).toBe(0);
    expect(lines).toHaveLength(1);
  });
});
