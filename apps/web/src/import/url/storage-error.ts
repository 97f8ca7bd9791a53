import type { BlobLocation } from './blob-url.js';
import { corsAdvice } from './cors-rule.js';
import type { UrlError } from './errors.js';
import {
  CLOCK_SKEW_MS,
  formatRelative,
  formatUtc,
  type SasInfo,
} from './sas.js';

/** What a failed request is judged against. */
export interface FailureContext {
  location: BlobLocation;
  sas: SasInfo;
  /** The page's origin: the one a CORS rule must admit. */
  origin: string;
  nowMs: number;
}

/** A storage service's answer other than 2xx. */
export interface StorageAnswer {
  status: number;
  /** `x-ms-error-code`, readable when the CORS rule exposes it. */
  errorCodeHeader: string | null;
  /** The XML error body, which CORS lets the page read either way. */
  body: string;
  /** The byte a Range request asked from, for a 416. */
  rangeStart?: number;
}

/** `BlobNotFound`, from the header or else from the XML body's `<Code>`. */
export function storageErrorCode(answer: StorageAnswer): string | null {
  if (answer.errorCodeHeader) return answer.errorCodeHeader;
  return xmlElement(answer.body, 'Code');
}

function xmlElement(xml: string, name: string): string | null {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match ? match[1].trim() : null;
}

/** Explains an answer of the storage service, by status and error code. */
export function describeStorageAnswer(
  answer: StorageAnswer,
  context: FailureContext,
): UrlError {
  const code = storageErrorCode(answer);
  const named = code
    ? `HTTP ${answer.status}, ${code}`
    : `HTTP ${answer.status}`;
  const { location } = context;
  const account = location.account
    ? ` in the account ${location.account}`
    : '';

  if (answer.status === 403) return describeRefusal(answer, code, context);

  if (answer.status === 404) {
    if (code === 'ContainerNotFound') {
      return {
        kind: 'not-found',
        message:
          `The container ${location.container} does not exist${account} ` +
          `(${named}). Check its name; Network Watcher writes to ` +
          'network-watcher-logs.',
      };
    }
    const blob =
      location.container !== null
        ? `${location.container}/${location.blobPath}`
        : location.withoutQuery;
    const privateHint =
      context.sas.kind === 'none'
        ? ' The URL has no SAS token: if the container is private, the ' +
          'service answers as if the blob were missing; add a token.'
        : '';
    return {
      kind: 'not-found',
      message:
        `There is no blob ${blob}${account} (${named}). Blob names are ` +
        'case-sensitive: check the path, and whether the capture was ' +
        `deleted or moved since the link was made.${privateHint}`,
    };
  }

  if (answer.status === 416) {
    const from =
      answer.rangeStart !== undefined ? ` from byte ${answer.rangeStart}` : '';
    return {
      kind: 'range-not-satisfiable',
      message:
        `The storage service cannot send the blob${from} on (${named}): ` +
        'it is shorter than when the download started, so it was ' +
        'probably replaced. Open the URL again to read the new blob.',
    };
  }

  if (answer.status === 409 && code === 'PublicAccessNotPermitted') {
    return {
      kind: 'auth-failed',
      message:
        `The account${account} allows no anonymous reads (${named}). ` +
        'Add a SAS token with Read permission to the URL.',
    };
  }
  if (answer.status === 409 && code === 'BlobArchived') {
    return {
      kind: 'storage-error',
      message:
        `The blob is in the Archive tier and cannot be read (${named}). ` +
        'Rehydrate it to the Hot or Cool tier first (this takes hours).',
    };
  }

  const retry =
    answer.status >= 500 ? ' The service had a problem; try again soon.' : '';
  return {
    kind: 'storage-error',
    message: `The storage service refused to send the blob (${named}).${retry}`,
  };
}

/** A 403: the token's times, its rights, its signature, or the account. */
function describeRefusal(
  answer: StorageAnswer,
  code: string | null,
  { sas, nowMs, location }: FailureContext,
): UrlError {
  const named = code ? `HTTP 403, ${code}` : 'HTTP 403';
  const detail = xmlElement(answer.body, 'AuthenticationErrorDetail') ?? '';

  if (/not valid in the specified time frame/i.test(detail)) {
    if (sas.startMs !== null && sas.startMs > nowMs - CLOCK_SKEW_MS) {
      return {
        kind: 'sas-not-yet-valid',
        message:
          `The storage service says this token is not valid yet (${named}): ` +
          `it starts at ${formatUtc(sas.startMs)}. This computer's clock ` +
          `(${formatUtc(nowMs)}) may be ahead. Wait, or make a token whose ` +
          'start is 15 minutes earlier.',
      };
    }
    const when =
      sas.expiryMs !== null
        ? `: it expired at ${formatUtc(sas.expiryMs)} ` +
          `(${formatRelative(sas.expiryMs, nowMs)} by this computer's clock)`
        : '';
    return {
      kind: 'sas-expired',
      message:
        `The storage service says this token has expired (${named})${when}. ` +
        'Make a new SAS URL with a later expiry.',
    };
  }

  switch (code) {
    case 'AuthorizationPermissionMismatch':
    case 'AuthorizationServiceMismatch':
    case 'AuthorizationResourceTypeMismatch':
    case 'InsufficientAccountPermissions':
      return {
        kind: 'sas-permission',
        message:
          'The storage service says this token may not read this blob ' +
          `(${named}). Make a token with Read permission (sp=r) for this ` +
          'blob or its container; for an account SAS, also for the Blob ' +
          'service and for objects (ss=b, srt=o).',
      };
    case 'AuthenticationFailed':
      return {
        kind: 'auth-failed',
        message:
          `The storage service refused the token's signature (${named}). ` +
          'The URL was changed after it was signed (a character of the ' +
          'signature, or of another field, altered or cut), or the key ' +
          'that signed it has been rotated since. Copy the whole Blob SAS ' +
          'URL again, or make a new one.',
      };
    case 'AuthorizationFailure':
      return {
        kind: 'auth-failed',
        message:
          `The storage account refused the request (${named}). Either the ` +
          'token does not match the URL (its signature or a field was ' +
          "altered or cut), or the account's network rules (Networking, " +
          'Firewalls and virtual networks) do not admit this computer. ' +
          'Copy the whole Blob SAS URL again, or check the network rules.',
      };
    case 'AuthorizationSourceIPMismatch': {
      const range = location.params.get('sip');
      return {
        kind: 'auth-failed',
        message:
          'This token is limited to other IP addresses ' +
          `(${named}${range ? `, sip=${range}` : ''}). Make a token ` +
          "without an IP range, or with this computer's public address.",
      };
    }
    case 'AuthorizationProtocolMismatch':
      return {
        kind: 'auth-failed',
        message:
          `This token is valid over https only (${named}). Use the ` +
          'https:// URL.',
      };
    case 'KeyBasedAuthenticationNotPermitted':
      return {
        kind: 'auth-failed',
        message:
          'The account does not accept tokens signed with its account key ' +
          `(${named}). Make a user delegation SAS instead, signed in with ` +
          'Entra ID (az storage blob generate-sas --as-user --auth-mode ' +
          'login ...).',
      };
    default:
      return {
        kind: 'auth-failed',
        message:
          `The storage service refused the request (${named}). Check that ` +
          'the whole SAS URL was copied, and that the token is still valid.',
      };
  }
}

/**
 * The request failed without an answer the page may read. A browser shows
 * a CORS refusal and an unreachable host alike; `hostAnswered` is what a
 * no-cors probe found, which tells them apart.
 */
export function describeUnreachable(
  hostAnswered: boolean,
  { location, origin }: FailureContext,
): UrlError {
  const cors = corsAdvice(origin, location.account);
  if (hostAnswered) {
    return {
      kind: 'cors',
      message:
        `${location.host} answered, but the browser kept the answer from ` +
        "this page: most likely the storage account has no CORS rule for " +
        `this page's origin (${origin}). Browsers report a CORS refusal ` +
        'only as a network error, so it may also be the network; but ' +
        'the host did answer. Add this rule to the Blob service of the ' +
        'account:',
      cors,
    };
  }
  return {
    kind: 'network',
    message:
      `${location.host} did not answer: this computer may be offline, the ` +
      'account name in the URL may be wrong, or a firewall or proxy blocks ' +
      'it. If the host is reachable from here after all, the cause is CORS; ' +
      'this rule on the Blob service fixes that:',
    cors,
  };
}
