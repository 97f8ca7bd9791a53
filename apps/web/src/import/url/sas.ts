import type { UrlError } from './errors.js';

/**
 * A SAS token signed with the account key for one service's resources
 * (`service`), for the whole account (`account`), or with a key Entra ID
 * handed out (`user-delegation`); `none` when the URL carries no token,
 * which only a public container answers.
 */
export type SasKind = 'service' | 'account' | 'user-delegation' | 'none';

/** The fields of a SAS token that decide whether it can read a blob. */
export interface SasInfo {
  kind: SasKind;
  /** `st` and `se` in ms since 1970; null when absent or unreadable. */
  startMs: number | null;
  expiryMs: number | null;
  /** `st` or `se` as given, when it is no date (a paste mistake). */
  badTime: { field: 'st' | 'se'; text: string } | null;
  /** `sp`: letters, `r` for read; null when a stored policy holds them. */
  permissions: string | null;
  /** `sr`: b blob, c container, bs snapshot, bv version, d directory. */
  resource: string | null;
  /** Account SAS: `ss` services (b for blob), `srt` resource types. */
  services: string | null;
  resourceTypes: string | null;
  /** `spr`: `https` or `https,http`. */
  protocols: string | null;
  /** `si`: a stored access policy that may hold the times and rights. */
  storedPolicy: string | null;
  /** User delegation SAS: when the signing key itself expires (`ske`). */
  keyExpiryMs: number | null;
}

/**
 * Browser clocks drift: within this much of `st` or `se` the storage
 * service, whose clock is right, decides. Five minutes is the skew Azure
 * itself tolerates on signed request dates.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export function readSas(params: URLSearchParams): SasInfo {
  const get = (name: string) => params.get(name);
  const start = readTime(get('st'));
  const expiry = readTime(get('se'));
  const badTime =
    start === undefined
      ? { field: 'st' as const, text: get('st') ?? '' }
      : expiry === undefined
        ? { field: 'se' as const, text: get('se') ?? '' }
        : null;

  let kind: SasKind = 'none';
  if (get('sig') !== null) {
    if (get('skoid') !== null || get('sktid') !== null) {
      kind = 'user-delegation';
    } else if (get('ss') !== null || get('srt') !== null) {
      kind = 'account';
    } else {
      kind = 'service';
    }
  }

  return {
    kind,
    startMs: start ?? null,
    expiryMs: expiry ?? null,
    badTime,
    permissions: get('sp'),
    resource: get('sr'),
    services: get('ss'),
    resourceTypes: get('srt'),
    protocols: get('spr'),
    storedPolicy: get('si'),
    keyExpiryMs: readTime(get('ske')) ?? null,
  };
}

/**
 * ISO 8601 as SAS tokens write it: `2026-12-04`, `2026-12-04T18:08Z`,
 * `2026-12-04T18:08:03Z`, `2026-12-04T18:08:03.1234567Z`. null when
 * absent, undefined when unreadable.
 */
function readTime(text: string | null): number | null | undefined {
  if (text === null || text === '') return null;
  const match = SAS_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const ms = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour ?? 0),
    Number(minute ?? 0),
    Number(second ?? 0),
    Math.floor(Number(`0.${fraction ?? '0'}`) * 1000),
  );
  return Number.isNaN(ms) ? undefined : ms;
}

const SAS_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?Z)?$/;

/** `2026-12-04 18:08:03 UTC`. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `3 hours ago`, `in 12 minutes`: how far `ms` is from `nowMs`. */
export function formatRelative(ms: number, nowMs: number): string {
  const seconds = Math.round(Math.abs(ms - nowMs) / 1000);
  const [amount, unit] =
    seconds < 120
      ? [seconds, 'second']
      : seconds < 7200
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 172800
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86400), 'day'];
  const text = `${amount} ${unit}${amount === 1 ? '' : 's'}`;
  return ms < nowMs ? `${text} ago` : `in ${text}`;
}

const NEW_TOKEN_HINT =
  'Make a new one: in the Azure portal, open the blob, choose ' +
  'Generate SAS, tick Read, set the expiry, and copy the Blob SAS URL; ' +
  'or run `az storage blob generate-sas --permissions r --expiry ' +
  '<time> --full-uri ...`.';

/**
 * What keeps this token from reading a blob, found before anything is
 * fetched; null when only the storage service can tell. `secure` is
 * whether the URL is https.
 */
export function checkSas(
  sas: SasInfo,
  nowMs: number,
  secure: boolean,
): UrlError | null {
  if (sas.kind === 'none') return null;

  if (sas.badTime) {
    return {
      kind: 'bad-url',
      message:
        `The token's ${sas.badTime.field === 'st' ? 'start' : 'expiry'} ` +
        `(${sas.badTime.field}=${sas.badTime.text}) is not a date; ` +
        'the URL was probably cut or changed. Copy it again.',
    };
  }

  const clock = `by this computer's clock it is now ${formatUtc(nowMs)}`;
  if (sas.expiryMs !== null && sas.expiryMs < nowMs - CLOCK_SKEW_MS) {
    return {
      kind: 'sas-expired',
      message:
        `This SAS token expired at ${formatUtc(sas.expiryMs)} ` +
        `(${formatRelative(sas.expiryMs, nowMs)}; ${clock}). ` +
        NEW_TOKEN_HINT,
    };
  }
  if (
    sas.kind === 'user-delegation' &&
    sas.keyExpiryMs !== null &&
    sas.keyExpiryMs < nowMs - CLOCK_SKEW_MS
  ) {
    return {
      kind: 'sas-expired',
      message:
        'This user delegation SAS was signed with a key that expired at ' +
        `${formatUtc(sas.keyExpiryMs)} ` +
        `(${formatRelative(sas.keyExpiryMs, nowMs)}; ${clock}). ` +
        NEW_TOKEN_HINT,
    };
  }
  if (sas.startMs !== null && sas.startMs > nowMs + CLOCK_SKEW_MS) {
    return {
      kind: 'sas-not-yet-valid',
      message:
        `This SAS token is valid only from ${formatUtc(sas.startMs)} ` +
        `(${formatRelative(sas.startMs, nowMs)}; ${clock}). Wait until ` +
        'then, or make a token whose start is now or earlier (leave the ' +
        'start empty, or set it 15 minutes back to allow for clock ' +
        "differences). If this computer's clock is wrong, correct it.",
    };
  }

  const permission = permissionProblem(sas);
  if (permission) {
    return {
      kind: 'sas-permission',
      message: `${permission} Make a token with Read permission (sp=r).`,
    };
  }

  if (!secure && sas.protocols === 'https') {
    return {
      kind: 'bad-url',
      message:
        'This token is valid over https only (spr=https), but the URL ' +
        'starts with http://. Use the https:// URL.',
    };
  }
  return null;
}

function permissionProblem(sas: SasInfo): string | null {
  // With a stored access policy the rights may live in the policy.
  if (sas.permissions === null) {
    return sas.storedPolicy === null
      ? 'This SAS token names no permissions (no sp field).'
      : null;
  }
  if (!sas.permissions.includes('r')) {
    return (
      `This SAS token allows "${sas.permissions}" ` +
      `(${permissionWords(sas.permissions)}) but not read, which ` +
      'downloading needs.'
    );
  }
  if (sas.kind === 'account') {
    if (sas.services !== null && !sas.services.includes('b')) {
      return (
        `This account SAS is for other services (ss=${sas.services}), ` +
        'not Blob storage (b).'
      );
    }
    if (sas.resourceTypes !== null && !sas.resourceTypes.includes('o')) {
      return (
        'This account SAS does not cover objects such as blobs ' +
        `(srt=${sas.resourceTypes}, without o).`
      );
    }
  }
  return null;
}

const PERMISSION_WORDS: Record<string, string> = {
  r: 'read',
  a: 'add',
  c: 'create',
  w: 'write',
  d: 'delete',
  x: 'delete version',
  y: 'permanent delete',
  l: 'list',
  t: 'tags',
  f: 'find',
  m: 'move',
  e: 'execute',
  o: 'ownership',
  p: 'permissions',
  i: 'set immutability policy',
  u: 'update',
  s: 'set',
};

function permissionWords(letters: string): string {
  return [...letters]
    .map((letter) => PERMISSION_WORDS[letter] ?? letter)
    .join(', ');
}

/**
 * One line about the token for logs and the page: its kind and validity,
 * never its signature. `service SAS, read, valid until 2026-12-04
 * 18:08:03 UTC`.
 */
export function describeSas(sas: SasInfo): string {
  if (sas.kind === 'none') return 'no SAS token';
  const kind =
    sas.kind === 'user-delegation' ? 'user delegation SAS' : `${sas.kind} SAS`;
  const parts = [kind];
  if (sas.permissions !== null) parts.push(permissionWords(sas.permissions));
  if (sas.expiryMs !== null) {
    parts.push(`valid until ${formatUtc(sas.expiryMs)}`);
  } else if (sas.storedPolicy !== null) {
    parts.push('times set by a stored access policy');
  }
  return parts.join(', ');
}
