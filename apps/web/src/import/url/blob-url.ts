import type { UrlError } from './errors.js';

/**
 * How a URL names its blob: Azure's host style
 * (`https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB`), the
 * emulator's path style (`http://HOST:PORT/ACCOUNT/CONTAINER/BLOB`), a
 * custom domain in host style (`https://files.example.com/CONTAINER/BLOB`
 * with a SAS), or any other URL, fetched as it is.
 */
export type UrlStyle = 'azure' | 'path' | 'custom-domain' | 'other';

export interface BlobLocation {
  /** The URL to fetch, SAS included, after repairs of paste damage. */
  href: string;
  /** Without query or fragment: the only form shown, logged or kept. */
  withoutQuery: string;
  style: UrlStyle;
  /** `host:port` as the URL gives it. */
  host: string;
  secure: boolean;
  /** 127.0.0.0/8, ::1 or localhost: never leaves this computer. */
  loopback: boolean;
  account: string | null;
  container: string | null;
  /** The blob's path inside its container, decoded. */
  blobPath: string | null;
  /** The last part of the path, decoded: the blob's file name. */
  fileName: string;
  /** The query after repairs; holds the SAS token. */
  params: URLSearchParams;
}

export type ParsedBlobUrl =
  | { ok: true; location: BlobLocation }
  | { ok: false; error: UrlError };

/** Fields only a SAS token has; one at the start marks a bare token. */
const SAS_FIELDS = [
  'sv', 'ss', 'srt', 'sp', 'st', 'se', 'sr', 'spr', 'sip', 'si', 'sig',
  'skoid', 'sktid', 'skt', 'ske', 'sks', 'skv', 'sdd', 'ses',
];
const BARE_TOKEN = new RegExp(`^\\??(?:${SAS_FIELDS.join('|')})=`, 'i');
const FIELD_IN_PATH = new RegExp(`(${SAS_FIELDS.join('|')})=`, 'g');

/**
 * `ACCOUNT.blob.core.windows.net`, the sovereign clouds, the DNS-zone
 * endpoints (`ACCOUNT.z12.blob.storage.azure.net`), Azure Stack and
 * Azurite's `ACCOUNT.blob.localhost`: the account is the first label.
 */
const AZURE_BLOB_HOST = /^([a-z0-9]{3,24})\.(?:z\d+\.)?blob\./i;

/** A base64 HMAC-SHA256: 32 bytes are 44 characters ending in `=`. */
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

const EXAMPLE_URL =
  'https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB?<SAS token>';

/**
 * Reads a pasted blob URL. Repairs what a paste does to a URL without
 * changing its meaning (surrounding quotes, line breaks, `&amp;`, a `+`
 * of the signature written raw or turned into a space) and names what it
 * cannot repair: a token alone, a token without its `?`, a signature
 * that lost a character, a container or account URL.
 */
export function parseBlobUrl(pasted: string): ParsedBlobUrl {
  let text = pasted
    .trim()
    .replace(/^["'<]+|["'>]+$/g, '')
    .replace(/[\r\n\t]/g, '')
    .replace(/&amp;/gi, '&');

  if (text === '') return badUrl(`Paste a blob URL such as ${EXAMPLE_URL}.`);
  if (BARE_TOKEN.test(text)) {
    return badUrl(
      'This is a SAS token alone, without the blob it is for. Paste ' +
        'the whole Blob SAS URL: the blob URL, then `?`, then the token ' +
        `(${EXAMPLE_URL}).`,
    );
  }
  if (AZURE_BLOB_HOST.test(text)) text = `https://${text}`;

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return badUrl(`This is not a URL. Paste one such as ${EXAMPLE_URL}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return badUrl(
      `Only http and https URLs can be opened, not ${url.protocol}.`,
    );
  }
  url.hash = '';

  const missingMark = tokenWithoutMark(url);
  if (missingMark) return badUrl(missingMark);

  const signature = repairSignature(url);
  if (signature) return badUrl(signature);

  return locate(url);
}

function badUrl(message: string): { ok: false; error: UrlError } {
  return { ok: false, error: { kind: 'bad-url', message } };
}

/** A token glued to the path: `.../packetcapture_10_00_00_000.capsv=...`. */
function tokenWithoutMark(url: URL): string | null {
  if (url.search !== '') return null;
  const path = safeDecode(url.pathname);
  if (!path.includes('sig=') || !path.includes('&')) return null;
  const [first] = path.matchAll(FIELD_IN_PATH);
  const field = first ? `${first[1]}=` : 'the token';
  return (
    'The SAS token is stuck to the end of the blob name: the `?` between ' +
    `them is missing. Put a \`?\` before ${field} and open it again.`
  );
}

/**
 * A signature is base64: its `+` must reach the service as `%2B`. A raw
 * `+` would be read as a space, and a space is a `+` some earlier step
 * decoded; both are put back. Returns a message when the signature is
 * damaged beyond that.
 */
function repairSignature(url: URL): string | null {
  if (url.search === '') return null;
  const parts = url.search.slice(1).split('&');
  const index = parts.findIndex((part) => /^sig=/i.test(part));
  if (index < 0) return null;

  const raw = parts[index].slice(4).replace(/\+|%20/g, '%2B');
  parts[index] = `sig=${raw}`;
  url.search = `?${parts.join('&')}`;

  const signature = safeDecode(raw);
  if (SIGNATURE.test(signature)) return null;
  const alphabet = /^[A-Za-z0-9+/=]*$/.test(signature)
    ? ''
    : ', some of them not base64';
  return (
    "The token's signature (sig) is damaged: it should be 44 characters " +
    `of base64 ending in "=", and it has ${signature.length}${alphabet}. ` +
    'Pasting often loses a `+` of it, or its `%2B`. Copy the Blob SAS URL ' +
    'again from where it was made, and paste it unchanged.'
  );
}

function locate(url: URL): ParsedBlobUrl {
  const segments = url.pathname.split('/').slice(1);
  const trailingSlash = segments.length > 0 && segments.at(-1) === '';
  if (trailingSlash) segments.pop();
  const params = url.searchParams;

  const azure = AZURE_BLOB_HOST.exec(url.hostname);
  let style: UrlStyle;
  let account: string | null = null;
  let rest = segments;
  if (azure) {
    style = 'azure';
    account = azure[1].toLowerCase();
  } else if (isPathStyleHost(url.hostname)) {
    style = 'path';
    account = segments[0] ? safeDecode(segments[0]) : null;
    rest = segments.slice(1);
  } else {
    style = params.has('sig') ? 'custom-domain' : 'other';
  }

  let container: string | null = null;
  let blobPath: string | null = null;
  if (style === 'other') {
    blobPath = safeDecode(segments.join('/'));
  } else {
    const problem = shapeProblem(style, account, rest, trailingSlash, params);
    if (problem) return badUrl(problem);
    container = safeDecode(rest[0]);
    blobPath = safeDecode(rest.slice(1).join('/'));
  }

  const lastSegment = segments.at(-1);
  return {
    ok: true,
    location: {
      href: url.href,
      withoutQuery: `${url.origin}${url.pathname}`,
      style,
      host: url.host,
      secure: url.protocol === 'https:',
      loopback: isLoopback(url.hostname),
      account,
      container,
      blobPath,
      fileName: lastSegment ? safeDecode(lastSegment) : url.host,
      params,
    },
  };
}

/** Why a storage URL names no blob, or null when it does. */
function shapeProblem(
  style: UrlStyle,
  account: string | null,
  rest: string[],
  trailingSlash: boolean,
  params: URLSearchParams,
): string | null {
  const shape =
    style === 'path'
      ? 'http://HOST:PORT/ACCOUNT/CONTAINER/BLOB'
      : 'https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB';
  if (style === 'path' && account === null) {
    return `This URL names no storage account. Blob URLs look like ${shape}.`;
  }
  if (rest.length === 0) {
    const named = account ? ` ${account}` : '';
    return (
      `This URL names only the storage account${named}, not a blob. ` +
      `Blob URLs look like ${shape}, with a SAS token after \`?\`.`
    );
  }
  const listing =
    params.get('restype') === 'container' || params.get('comp') === 'list';
  if (rest.length === 1 || listing) {
    return (
      `This is the URL of the container ${safeDecode(rest[0])}, not of a ` +
      "blob in it. Add the blob's path after the container name (for " +
      'Network Watcher: subscriptions/.../packetcapture_....cap), or ' +
      'open the blob in the Azure portal and make its SAS there: its Blob ' +
      'SAS URL names the blob.'
    );
  }
  if (trailingSlash) {
    return (
      'This URL ends with "/": it names a folder, not a blob. Add the ' +
      'file name of the capture.'
    );
  }
  return null;
}

/** Hosts that serve accounts in the path: IP addresses, one-label names. */
function isPathStyleHost(hostname: string): boolean {
  return (
    /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname) ||
    hostname.startsWith('[') ||
    !hostname.includes('.')
  );
}

export function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
