import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, loadOrCreateSecretKey, SecretBox } from '../../src/adapters/secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('opens what it sealed, for the same owner and field', () => {
    const sealed = box.seal('ntn_secret_value', 'T1:U1:notionSecret');
    expect(sealed).not.toContain('ntn_secret_value');
    expect(box.open(sealed, 'T1:U1:notionSecret')).toBe('ntn_secret_value');
  });

  it('refuses a ciphertext moved to another user or field', () => {
    const sealed = box.seal('sk-abc', 'T1:U1:openaiKey');
    expect(() => box.open(sealed, 'T1:U2:openaiKey')).toThrow();
    expect(() => box.open(sealed, 'T1:U1:notionSecret')).toThrow();
  });

  it('refuses a tampered ciphertext or another key', () => {
    const sealed = box.seal('sk-abc', 'aad');
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => box.open(tampered, 'aad')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'aad')).toThrow();
  });

  it('uses a fresh nonce every time', () => {
    expect(box.seal('same', 'aad')).not.toBe(box.seal('same', 'aad'));
  });
});

describe('loadOrCreateSecretKey', () => {
  it('creates a 0600 key file once and reads it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'visen-key-'));
    const first = loadOrCreateSecretKey(dir, undefined);
    const file = join(dir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first).toHaveLength(32);
    expect(loadOrCreateSecretKey(dir, undefined).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('prefers the configured key and writes no file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'visen-key-'));
    const key = Buffer.alloc(32, 9);
    expect(loadOrCreateSecretKey(dir, key)).toBe(key);
    expect(() => statSync(join(dir, KEY_FILE_NAME))).toThrow();
  });
});
