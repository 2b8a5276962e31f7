/**
 * Notion links as users paste them (in a Slack modal or command) -> the id of the page or database they point to.
 *
 * Notion object ids are UUIDs; in links they are "the 32 character string at the end of any page URL", after the
 * title slug (`/<Title-Slug>-<32 hex>`) (makenotion/notion-sdk-js examples README). The API accepts them with or
 * without dashes and answers with the dashed form. A database link may carry `?v=<32 hex>`: that is the id of the
 * *view* the user was looking at, not of the database; the SDK's own `extractNotionId` "prioritizes path IDs over
 * query parameters to avoid extracting view IDs instead of database IDs"
 * (https://www.mintlify.com/makenotion/notion-sdk-js/api/helpers/id-extraction). A row opened in peek mode from a
 * database (`?p=<32 hex>`) is that page (the same helper reads `p` as a page id).
 *
 * Only Notion's own hosts are accepted: notion.so (the app's domain, and the `url` of every object the API
 * returns), notion.com (Notion's own domain, where its help pages now live; accepted so a link copied there still
 * works, though the developer docs show no page links on it), and `<name>.notion.site` (public Notion Sites). A link
 * anywhere else is refused even when its path carries a Notion-shaped id, so a pasted
 * `https://evil.com/notion.so/<id>` never becomes a Notion request.
 */

export type ParsedNotionUrl =
  | {
      readonly ok: true;
      readonly kind: 'id';
      /** Dashed, lower-case UUID. */
      readonly id: string;
      /** A normalised https link to the object. */
      readonly url: string;
      /** The database view the link was opened in (`?v=`); never the object's id. */
      readonly viewId?: string;
    }
  | { readonly ok: false; readonly kind: 'invalid'; readonly reason: string };

const GOOD_URL_EXAMPLE = 'https://www.notion.so/Your-Page-0123456789abcdef0123456789abcdef';
const HOW_TO_COPY = `In Notion, open the page or database, click Share (or ••• at the top right), choose Copy link, and paste that link here. It looks like ${GOOD_URL_EXAMPLE}.`;

const COMPACT_ID = /^[0-9a-f]{32}$/i;
const DASHED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The id at the end of a path segment: after a slug's last dash, or the whole segment. */
const SEGMENT_ID = /(?:^|-)([0-9a-f]{32})$/i;
const SEGMENT_DASHED_ID = /(?:^|-)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point: a pasted link must not hide any.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/;

const NOTION_HOSTS = new Set(['notion.so', 'www.notion.so', 'notion.com', 'www.notion.com']);
const NOTION_SITE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.notion\.site$/;

/** A Notion id (32 hex digits, with or without dashes) as a dashed, lower-case UUID; undefined if it is not one. */
export function formatNotionId(raw: string): string | undefined {
  const text = raw.trim();
  if (!COMPACT_ID.test(text) && !DASHED_ID.test(text)) return undefined;
  const hex = text.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 32-hex form Notion uses in links. */
export function compactId(id: string): string {
  return id.replace(/-/g, '').toLowerCase();
}

/** The canonical link to an object, as Notion builds it without a title slug. */
export function notionObjectUrl(id: string): string {
  return `https://www.notion.so/${compactId(id)}`;
}

export function parseNotionUrl(text: string): ParsedNotionUrl {
  if (typeof text !== 'string') return invalid(`That is not a Notion link. ${HOW_TO_COPY}`);
  const unwrapped = unwrapSlackLink(text.trim());
  if (unwrapped === '') return invalid(`The link is empty. ${HOW_TO_COPY}`);
  if (CONTROL_CHARACTERS.test(unwrapped)) {
    return invalid(`The link contains invisible control characters, so it was not used. Copy it again from Notion. ${HOW_TO_COPY}`);
  }
  if (/\s/.test(unwrapped)) return invalid(`A link has no spaces in it; paste only the link. ${HOW_TO_COPY}`);

  // A bare id is fine: it is what the API takes.
  const bareId = formatNotionId(unwrapped);
  if (bareId) return { ok: true, kind: 'id', id: bareId, url: notionObjectUrl(bareId) };

  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(unwrapped) ? unwrapped : `https://${unwrapped.replace(/^\/\//, '')}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return invalid(`That is not a link Visen can read. ${HOW_TO_COPY}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return invalid(`Only web links (https://…) to Notion work here. ${HOW_TO_COPY}`);
  }
  const host = url.hostname.toLowerCase();
  if (url.username || url.password || url.port || !(NOTION_HOSTS.has(host) || NOTION_SITE.test(host))) {
    return invalid(`That link is not on notion.so, notion.com or a notion.site address, so it cannot be a Notion page or database. ${HOW_TO_COPY}`);
  }

  const peekId = queryId(url, 'p');
  const viewId = queryId(url, 'v');
  const pathId = lastSegmentId(url.pathname);
  if (peekId) {
    // A row opened as a side peek: the page is the row, whatever the path shows.
    return { ok: true, kind: 'id', id: peekId, url: `https://${host}/${compactId(peekId)}` };
  }
  if (pathId) {
    const base = `https://${host}${url.pathname.replace(/\/+$/, '')}`;
    return viewId && viewId !== pathId
      ? { ok: true, kind: 'id', id: pathId, url: `${base}?v=${compactId(viewId)}`, viewId }
      : { ok: true, kind: 'id', id: pathId, url: base };
  }
  if (viewId) {
    return invalid(
      `That link names only a database view, not the database itself. Open the database as a full page (••• → Open as page), then copy its link. ${HOW_TO_COPY}`,
    );
  }
  return invalid(`That Notion link does not end with a page or database id (32 letters and digits). ${HOW_TO_COPY}`);
}

/** Slack sends links as `<https://…>` or `<https://…|label>`. */
function unwrapSlackLink(text: string): string {
  const match = /^<([^<>|]*)(?:\|[^<>]*)?>$/.exec(text);
  return (match ? match[1]! : text).trim();
}

function queryId(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value ? formatNotionId(value) : undefined;
}

function lastSegmentId(pathname: string): string | undefined {
  const segments = pathname.split('/').filter(Boolean);
  const last = segments.at(-1);
  if (!last) return undefined;
  let segment: string;
  try {
    segment = decodeURIComponent(last);
  } catch {
    segment = last;
  }
  const match = SEGMENT_ID.exec(segment) ?? SEGMENT_DASHED_ID.exec(segment);
  return match ? formatNotionId(match[1]!) : undefined;
}

function invalid(reason: string): ParsedNotionUrl {
  return { ok: false, kind: 'invalid', reason };
}

/** Hosts a link shown to users may point to: the `url` Notion's API gives every page and database. */
const NOTION_LINK_HOSTS = new Set(['www.notion.so', 'notion.so']);

/**
 * The link itself when it is an https link into Notion's app (`https://www.notion.so/…` or `https://notion.so/…`),
 * else undefined. Narrower than what `parseNotionUrl` reads from a user: every link Visen writes or shows comes
 * from the API's `url` field, which is always on notion.so, so nothing else is needed. `<name>.notion.site` is
 * refused on purpose: anyone can publish a site there, so a `Target` edited in a shared database could point at a
 * look-alike login page on it. notion.com is refused for the same reason as any host Visen never writes.
 */
export function notionWebLink(link: string | undefined): string | undefined {
  if (typeof link !== 'string' || link.trim() === '' || CONTROL_CHARACTERS.test(link)) return undefined;
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port || !NOTION_LINK_HOSTS.has(url.hostname)) return undefined;
  return url.href;
}
