import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeForLog, OpenAiError } from '../../src/errors.js';
import { clipForLog, redactSecrets, rememberSecretForRedaction, UPSTREAM_TEXT_LOG_CHARS } from '../../src/log-redaction.js';
import { createLogger, MAX_LOG_STRING_CHARS } from '../../src/logger.js';

// A key without any known prefix (Azure keys and self-hosted servers' keys look like this).
const KEY = 'q7Rz2Lm9Xw4Tn8Kb3Vd6Hs1Jf5Gc0Ye7Pa2Ui4Oo9';
rememberSecretForRedaction(KEY);

describe('redactSecrets: any part of a known secret', () => {
  it('removes the whole key', () => {
    expect(redactSecrets(`key ${KEY} rejected`)).toBe('key [redacted] rejected');
  });

  it('removes its first 20 characters, its last 10 and any 8 in the middle', () => {
    expect(redactSecrets(`starts ${KEY.slice(0, 20)}.`)).toBe('starts [redacted].');
    expect(redactSecrets(`ends ${KEY.slice(-10)}!`)).toBe('ends [redacted]!');
    expect(redactSecrets(`middle ${KEY.slice(12, 20)} here`)).toBe('middle [redacted] here');
  });

  it('removes the key wrapped over several lines or spaced out', () => {
    const wrapped = `${KEY.slice(0, 10)}\n${KEY.slice(10, 25)}\r\n  ${KEY.slice(25)}`;
    expect(redactSecrets(`body: ${wrapped} end`)).toBe('body: [redacted] end');
  });

  it('keeps ordinary text and fragments shorter than 8 characters', () => {
    expect(redactSecrets('the server said: invalid key')).toBe('the server said: invalid key');
    expect(redactSecrets(`hint ${KEY.slice(0, 4)}`)).toBe(`hint ${KEY.slice(0, 4)}`);
  });
});

describe('redactSecrets: token shapes of unknown secrets', () => {
  it.each([
    ['an OpenAI key', 'Incorrect API key provided: sk-proj-abcdefghijklmnop1234.', 'Incorrect API key provided: [redacted].'],
    ['a masked echo', 'key sk-abc...xyz was wrong', 'key [redacted] was wrong'],
    ['a starred echo', 'Incorrect API key provided: sk-proj-********abcd', 'Incorrect API key provided: [redacted]'],
    ['a Notion secret', 'with ntn_12345678901234567890abc', 'with [redacted]'],
    ['a Slack bot token', 'token xoxb-123-456-abcdef', 'token [redacted]'],
    ['a bearer credential', 'Authorization: Bearer abc.def-123', 'Authorization: [redacted]'],
  ])('removes %s', (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });
});

describe('clipForLog', () => {
  it('keeps a short text whole', () => {
    expect(clipForLog('model not found')).toBe('model not found');
  });

  it('cuts a long text to a few hundred characters and says how long it was', () => {
    const clipped = clipForLog('x'.repeat(5_000_000));
    expect(clipped.length).toBeLessThan(UPSTREAM_TEXT_LOG_CHARS + 40);
    expect(clipped).toContain('[5000000 characters in all]');
  });

  it('redacts before cutting, so a cut through a key leaves none of it', () => {
    const text = `${'a'.repeat(UPSTREAM_TEXT_LOG_CHARS - 5)} ${KEY} and more`;
    const clipped = clipForLog(text);
    expect(clipped).not.toContain(KEY.slice(0, 4));
    expect(clipped.startsWith('a'.repeat(UPSTREAM_TEXT_LOG_CHARS - 5))).toBe(true);
  });
});

describe('describeForLog', () => {
  it('keeps a few hundred characters of a huge message and only the stack frames', () => {
    const huge = new Error(`upstream said: ${'<p>spam</p>'.repeat(500_000)} ${KEY}`);
    const described = describeForLog(new OpenAiError('bad_endpoint', 'No API here.', { cause: huge }));
    const text = JSON.stringify(described);
    expect(text.length).toBeLessThan(6_000);
    expect(text).toContain('upstream said:');
    expect(text).toContain('at '); // the frames that say where it was thrown
    expect(text).not.toContain(KEY.slice(0, 8));
  });
});

describe('the logger, as a last line of defence', () => {
  it('clips and redacts every string field and the message, however deep', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.warn({ upstream: { body: `${'z'.repeat(3_000_000)}` }, echoed: [`prefix ${KEY.slice(0, 20)}`] }, `said ${'m'.repeat(1_000_000)}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(3 * MAX_LOG_STRING_CHARS + 500);
    expect(lines[0]).not.toContain(KEY.slice(0, 8));
    expect(lines[0]).toContain('[redacted]');
  });
});
