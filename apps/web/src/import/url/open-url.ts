import { parseBlobUrl, type BlobLocation } from './blob-url.js';
import type { UrlError } from './errors.js';
import { readNetworkWatcherPath } from './network-watcher.js';
import { checkSas, describeSas, readSas } from './sas.js';

/** A URL ready to be fetched, with what the page may show of it. */
export interface UrlImportRequest {
  /** The URL with its SAS token: handed to the worker, kept nowhere. */
  href: string;
  /** The URL without its query: what may be shown, logged and stored. */
  withoutQuery: string;
  /** The dataset's name: VM and time for Network Watcher, else the file. */
  label: string;
  /** `service SAS, read, valid until ...`: never the signature. */
  sasSummary: string;
  /** Why to ask before fetching (plain http off this computer), or null. */
  confirm: string | null;
}

export interface PageContext {
  /** `location.origin` of the page. */
  origin: string;
  /** `location.protocol` of the page: `https:` blocks plain-http fetches. */
  protocol: string;
  nowMs: number;
}

export type PreparedUrl =
  | { ok: true; request: UrlImportRequest }
  | {
      ok: false;
      error: UrlError;
      /** What the error names: the blob's label, or `this URL`. */
      label: string;
    };

/**
 * Everything that can be said about a pasted URL before fetching it: paste
 * mistakes, the SAS token's times and rights, whether the page can fetch
 * it at all, and the label of the capture.
 */
export function prepareUrlImport(
  pasted: string,
  page: PageContext,
): PreparedUrl {
  const parsed = parseBlobUrl(pasted);
  if (!parsed.ok) return { ok: false, error: parsed.error, label: 'this URL' };
  const { location } = parsed;
  const label = labelOf(location);

  if (page.protocol === 'https:' && !location.secure && !location.loopback) {
    return {
      ok: false,
      label,
      error: {
        kind: 'bad-url',
        message:
          'This page was loaded over https, and browsers refuse plain ' +
          `http fetches from such pages (${location.host}). Use the ` +
          'https:// URL of the blob.',
      },
    };
  }

  const sas = readSas(location.params);
  const sasProblem = checkSas(sas, page.nowMs, location.secure);
  if (sasProblem) return { ok: false, error: sasProblem, label };

  const confirm =
    location.secure || location.loopback
      ? null
      : `This URL is plain http to ${location.host}: the SAS token and the ` +
        'capture would cross the network unencrypted, readable by anyone ' +
        'on the way. Open it anyway?';

  return {
    ok: true,
    request: {
      href: location.href,
      withoutQuery: location.withoutQuery,
      label,
      sasSummary: describeSas(sas),
      confirm,
    },
  };
}

/** The Network Watcher VM and time when the path has that shape. */
export function labelOf(location: BlobLocation): string {
  const capture =
    location.blobPath !== null
      ? readNetworkWatcherPath(location.blobPath)
      : null;
  return capture?.label ?? location.fileName;
}
