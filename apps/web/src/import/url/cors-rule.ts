import type { CorsAdvice } from './errors.js';

// What the page sends and reads across origins. GET, and HEAD for the
// probe that tells a CORS refusal from a dead host. Range, to resume a
// download: current browsers send a single range without a preflight,
// older ones preflight it. Content-Range and ETag check a resumed part;
// x-ms-error-code names a refusal. Content-Length is readable anyway, but
// naming it costs nothing and keeps the rule obvious.
const METHODS = ['GET', 'HEAD'];
const ALLOWED_HEADERS = ['Range'];
const EXPOSED_HEADERS = [
  'Content-Range',
  'Content-Length',
  'ETag',
  'x-ms-error-code',
];
/** An hour of cached preflights; the rule rarely changes. */
const MAX_AGE_SECONDS = 3600;

/** The Blob service CORS rule that lets a page at `origin` read blobs. */
export function corsAdvice(origin: string, account: string | null): CorsAdvice {
  const accountArg = account ?? '<storage account>';
  const azCommand = [
    'az storage cors add --services b',
    `--account-name ${accountArg}`,
    `--origins ${origin}`,
    `--methods ${METHODS.join(' ')}`,
    `--allowed-headers ${ALLOWED_HEADERS.join(' ')}`,
    `--exposed-headers ${EXPOSED_HEADERS.join(' ')}`,
    `--max-age ${MAX_AGE_SECONDS}`,
  ].join(' ');

  const portalSteps = [
    `In the Azure portal, open the storage account ${accountArg}.`,
    'Under Settings, choose Resource sharing (CORS), then the Blob ' +
      'service tab.',
    `Add a row: Allowed origins ${origin}; Allowed methods ` +
      `${METHODS.join(' and ')}; Allowed headers ` +
      `${ALLOWED_HEADERS.join(',')}; Exposed headers ` +
      `${EXPOSED_HEADERS.join(',')}; Max age ${MAX_AGE_SECONDS}.`,
    'Save, wait a minute, and open the URL again.',
  ];

  return {
    origin,
    account,
    methods: [...METHODS],
    allowedHeaders: [...ALLOWED_HEADERS],
    exposedHeaders: [...EXPOSED_HEADERS],
    maxAgeSeconds: MAX_AGE_SECONDS,
    azCommand,
    portalSteps,
  };
}
