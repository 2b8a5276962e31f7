import { describe, expect, it } from 'vitest';
import { compactId, formatNotionId, notionWebLink, parseNotionUrl } from '../../../src/adapters/notion/urls.js';

const HEX = '0123456789abcdef0123456789abcdef';
const DASHED = '01234567-89ab-cdef-0123-456789abcdef';
const VIEW = 'fedcba9876543210fedcba9876543210';
const VIEW_DASHED = 'fedcba98-7654-3210-fedc-ba9876543210';
const PEEK = 'aaaaaaaabbbbccccddddeeeeeeeeeeee';
const PEEK_DASHED = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

type Accept = { input: string; id: string; url: string; viewId?: string };

const accepted: Array<[string, Accept]> = [
  ['page with title slug', { input: `https://www.notion.so/My-Page-${HEX}`, id: DASHED, url: `https://www.notion.so/My-Page-${HEX}` }],
  ['bare id path on notion.so', { input: `https://notion.so/${HEX}`, id: DASHED, url: `https://notion.so/${HEX}` }],
  [
    'database in a workspace with a view',
    { input: `https://www.notion.so/acme/Tasks-${HEX}?v=${VIEW}`, id: DASHED, url: `https://www.notion.so/acme/Tasks-${HEX}?v=${VIEW}`, viewId: VIEW_DASHED },
  ],
  ['public notion.site page', { input: `https://acme.notion.site/Roadmap-${HEX}`, id: DASHED, url: `https://acme.notion.site/Roadmap-${HEX}` }],
  ['dashed uuid in the path', { input: `https://www.notion.so/${DASHED}`, id: DASHED, url: `https://www.notion.so/${DASHED}` }],
  ['slug with dashed uuid', { input: `https://www.notion.so/Plan-${DASHED}`, id: DASHED, url: `https://www.notion.so/Plan-${DASHED}` }],
  ['?pvs=4 share suffix', { input: `https://www.notion.so/Notes-${HEX}?pvs=4`, id: DASHED, url: `https://www.notion.so/Notes-${HEX}` }],
  ['#anchor to a block', { input: `https://www.notion.so/Notes-${HEX}#${VIEW}`, id: DASHED, url: `https://www.notion.so/Notes-${HEX}` }],
  ['peek view ?p= is the page', { input: `https://www.notion.so/acme/${HEX}?v=${VIEW}&p=${PEEK}&pm=s`, id: PEEK_DASHED, url: `https://www.notion.so/${PEEK}` }],
  ['peek with dashed p', { input: `https://www.notion.so/${HEX}?p=${PEEK_DASHED}`, id: PEEK_DASHED, url: `https://www.notion.so/${PEEK}` }],
  ['without scheme', { input: `notion.so/Page-${HEX}`, id: DASHED, url: `https://notion.so/Page-${HEX}` }],
  ['www without scheme', { input: `www.notion.so/acme/Page-${HEX}`, id: DASHED, url: `https://www.notion.so/acme/Page-${HEX}` }],
  ['surrounding whitespace', { input: `  \n https://www.notion.so/Page-${HEX} \t `, id: DASHED, url: `https://www.notion.so/Page-${HEX}` }],
  ['Slack <url> wrapper', { input: `<https://www.notion.so/Page-${HEX}>`, id: DASHED, url: `https://www.notion.so/Page-${HEX}` }],
  ['Slack <url|label> wrapper', { input: `<https://www.notion.so/Page-${HEX}|My page>`, id: DASHED, url: `https://www.notion.so/Page-${HEX}` }],
  ['Slack wrapper with spaces around', { input: ` <https://notion.so/${HEX}> `, id: DASHED, url: `https://notion.so/${HEX}` }],
  ['notion.com', { input: `https://www.notion.com/acme/Page-${HEX}`, id: DASHED, url: `https://www.notion.com/acme/Page-${HEX}` }],
  ['bare notion.com', { input: `https://notion.com/${HEX}`, id: DASHED, url: `https://notion.com/${HEX}` }],
  ['http upgraded to https', { input: `http://www.notion.so/Page-${HEX}`, id: DASHED, url: `https://www.notion.so/Page-${HEX}` }],
  ['upper-case id and host', { input: `HTTPS://WWW.NOTION.SO/Page-${HEX.toUpperCase()}`, id: DASHED, url: `https://www.notion.so/Page-${HEX.toUpperCase()}` }],
  ['bare 32-hex id', { input: HEX, id: DASHED, url: `https://www.notion.so/${HEX}` }],
  ['bare dashed id', { input: DASHED.toUpperCase(), id: DASHED, url: `https://www.notion.so/${HEX}` }],
  ['trailing slash', { input: `https://www.notion.so/Page-${HEX}/`, id: DASHED, url: `https://www.notion.so/Page-${HEX}` }],
  ['unicode title slug', { input: `https://www.notion.so/Caf%C3%A9-Notes-${HEX}`, id: DASHED, url: `https://www.notion.so/Caf%C3%A9-Notes-${HEX}` }],
  ['view equal to the id is not a separate view', { input: `https://www.notion.so/${HEX}?v=${HEX}`, id: DASHED, url: `https://www.notion.so/${HEX}` }],
  ['protocol-relative', { input: `//www.notion.so/${HEX}`, id: DASHED, url: `https://www.notion.so/${HEX}` }],
];

const rejected: Array<[string, string, RegExp]> = [
  ['another host with notion.so in the path', `https://evil.com/notion.so/${HEX}`, /not on notion\.so/],
  ['notion.so as a subdomain of another host', `https://notion.so.evil.com/${HEX}`, /not on notion\.so/],
  ['credentials before the host', `https://notion.so@evil.com/${HEX}`, /not on notion\.so/],
  ['user info on notion.so', `https://user:pw@www.notion.so/${HEX}`, /not on notion\.so/],
  ['a port', `https://www.notion.so:8443/${HEX}`, /not on notion\.so/],
  ['look-alike host', `https://www.notion.so.example/${HEX}`, /not on notion\.so/],
  ['notion.site itself', `https://notion.site/${HEX}`, /not on notion\.so/],
  ['no id', 'https://www.notion.so/acme/My-Page', /does not end with a page or database id/],
  ['workspace root', 'https://www.notion.so/', /does not end with a page or database id/],
  ['id too short', `https://www.notion.so/Page-${HEX.slice(1)}`, /does not end with a page or database id/],
  ['only a view id', `https://www.notion.so/acme?v=${VIEW}`, /view/],
  ['javascript scheme', `javascript:alert('${HEX}')`, /Only web links/],
  ['ftp scheme', `ftp://www.notion.so/${HEX}`, /Only web links/],
  ['notion app scheme', `notion://www.notion.so/${HEX}`, /Only web links/],
  ['empty', '', /empty/],
  ['whitespace only', '   \n\t ', /empty/],
  ['empty Slack wrapper', '<>', /empty/],
  ['control character', `https://www.notion.so/Page-${HEX}\u0000`, /control characters/],
  ['newline inside', `https://www.notion.so/\nPage-${HEX}`, /control characters/],
  ['zero-width space', `https://www.notion.so/Page-\u200b${HEX}`, /control characters/],
  ['two links', `https://www.notion.so/${HEX} https://www.notion.so/${VIEW}`, /no spaces/],
  ['plain words', 'my tasks database', /no spaces/],
];

describe('parseNotionUrl', () => {
  it.each(accepted)('accepts %s', (_name, { input, id, url, viewId }) => {
    const parsed = parseNotionUrl(input);
    expect(parsed).toEqual({ ok: true, kind: 'id', id, url, ...(viewId ? { viewId } : {}) });
  });

  it.each(rejected)('rejects %s', (_name, input, reason) => {
    const parsed = parseNotionUrl(input);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.kind).toBe('invalid');
    expect(parsed.reason).toMatch(reason);
    // Every reason shows what a good link looks like.
    expect(parsed.reason).toContain('https://www.notion.so/Your-Page-');
  });

  it('never takes the view id for the object id', () => {
    const parsed = parseNotionUrl(`https://www.notion.so/acme/${HEX}?v=${VIEW}`);
    expect(parsed.ok && parsed.id).toBe(DASHED);
    expect(parsed.ok && parsed.viewId).toBe(VIEW_DASHED);
  });

  it('has at least 30 cases', () => {
    expect(accepted.length + rejected.length).toBeGreaterThanOrEqual(30);
  });
});

describe('formatNotionId / compactId', () => {
  it.each([
    [HEX, DASHED],
    [DASHED, DASHED],
    [HEX.toUpperCase(), DASHED],
    [` ${DASHED} `, DASHED],
  ])('formats %s', (input, expected) => expect(formatNotionId(input)).toBe(expected));

  it.each(['', 'xyz', HEX.slice(2), `${HEX}0`, '01234567-89ab-cdef-0123-456789abcdeg'])('refuses %j', (input) => {
    expect(formatNotionId(input)).toBeUndefined();
  });

  it('compacts a dashed id', () => {
    expect(compactId(DASHED.toUpperCase())).toBe(HEX);
  });
});

describe('notionWebLink: the only links Visen shows for a connection', () => {
  it('keeps https links into notion.so', () => {
    expect(notionWebLink('https://www.notion.so/acme/Target-0123456789abcdef0123456789abcdef')).toBe(
      'https://www.notion.so/acme/Target-0123456789abcdef0123456789abcdef',
    );
    expect(notionWebLink('https://notion.so/0123456789abcdef0123456789abcdef')).toBe('https://notion.so/0123456789abcdef0123456789abcdef');
    expect(notionWebLink('https://WWW.NOTION.SO/x')).toBe('https://www.notion.so/x');
  });

  it('refuses every other host, scheme, credentials, port and look-alike', () => {
    for (const link of [
      'https://evil-row.example/login',
      'http://www.notion.so/x',
      'javascript:alert(1)',
      'https://www.notion.so.evil.example/x',
      'https://www.notion.so@evil.example/x',
      'https://user:pw@www.notion.so/x',
      'https://www.notion.so:8443/x',
      'https://acme.notion.site/login',
      'https://www.notion.com/x',
      'https://evil.example/www.notion.so/0123456789abcdef0123456789abcdef',
      'www.notion.so/x',
      '',
      undefined,
    ]) {
      expect(notionWebLink(link)).toBeUndefined();
    }
  });
});
