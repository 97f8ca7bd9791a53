// Telling failed requests apart: each storage error code, and a browser's
// silent CORS refusal against a host that did not answer.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBlobUrl } from '../../../apps/web/src/import/url/blob-url.js';
import { corsAdvice } from '../../../apps/web/src/import/url/cors-rule.js';
import { readSas } from '../../../apps/web/src/import/url/sas.js';
import {
  describeStorageAnswer,
  describeUnreachable,
  storageErrorCode,
  type FailureContext,
  type StorageAnswer,
} from '../../../apps/web/src/import/url/storage-error.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const SIG = encodeURIComponent('x+'.repeat(21) + 'y=');
const URL_TEXT =
  'https://acct01.blob.core.windows.net/network-watcher-logs/a/b.cap' +
  `?sv=2024-11-04&sr=b&sp=r&se=2026-12-04T11%3A58%3A00Z&sig=${SIG}`;
const ORIGIN = 'https://capscope.example';

function context(text = URL_TEXT): FailureContext {
  const parsed = parseBlobUrl(text);
  assert.ok(parsed.ok);
  return {
    location: parsed.location,
    sas: readSas(parsed.location.params),
    origin: ORIGIN,
    nowMs: NOW,
  };
}

function xml(code: string, detail = ''): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><Error>' +
    `<Code>${code}</Code><Message>Something.\nRequestId:1</Message>` +
    (detail ? `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail>` : '') +
    '</Error>'
  );
}

function answer(status: number, code: string | null, detail = ''): StorageAnswer {
  return { status, errorCodeHeader: null, body: code ? xml(code, detail) : '' };
}

function kindOf(status: number, code: string | null, detail = ''): string {
  const error = describeStorageAnswer(answer(status, code, detail), context());
  assert.doesNotMatch(error.message, /sig=/);
  return error.kind;
}

describe('describeStorageAnswer', () => {
  test('reads the code from the header, else from the XML body', () => {
    assert.equal(
      storageErrorCode({ status: 403, errorCodeHeader: 'A', body: xml('B') }),
      'A',
    );
    assert.equal(
      storageErrorCode({ status: 403, errorCodeHeader: null, body: xml('B') }),
      'B',
    );
    assert.equal(
      storageErrorCode({ status: 403, errorCodeHeader: null, body: '' }),
      null,
    );
  });

  test('tells the 403s apart', () => {
    assert.equal(kindOf(403, 'AuthenticationFailed', 'Signature did not match.'), 'auth-failed');
    assert.equal(kindOf(403, 'AuthorizationFailure'), 'auth-failed');
    assert.equal(kindOf(403, 'AuthorizationSourceIPMismatch'), 'auth-failed');
    assert.equal(kindOf(403, 'AuthorizationProtocolMismatch'), 'auth-failed');
    assert.equal(kindOf(403, 'KeyBasedAuthenticationNotPermitted'), 'auth-failed');
    assert.equal(kindOf(403, 'AuthorizationPermissionMismatch'), 'sas-permission');
    assert.equal(kindOf(403, 'AuthorizationResourceTypeMismatch'), 'sas-permission');
    assert.equal(kindOf(403, null), 'auth-failed');
  });

  test("takes the service's word on a token's time frame", () => {
    const detail =
      'Signature not valid in the specified time frame: Start [...] - ' +
      'Expiry [...] - Current [...]';
    // The token expired two minutes ago: inside the skew, so the page let
    // the service decide.
    const error = describeStorageAnswer(
      answer(403, 'AuthenticationFailed', detail),
      context(),
    );
    assert.equal(error.kind, 'sas-expired');
    assert.match(error.message, /2026-12-04 11:58:00 UTC/);

    const early = context(URL_TEXT + '&st=2026-12-04T12%3A03%3A00Z');
    assert.equal(
      describeStorageAnswer(answer(403, 'AuthenticationFailed', detail), early)
        .kind,
      'sas-not-yet-valid',
    );
  });

  test('names a missing blob or container', () => {
    const blob = describeStorageAnswer(answer(404, 'BlobNotFound'), context());
    assert.equal(blob.kind, 'not-found');
    assert.match(blob.message, /no blob network-watcher-logs\/a\/b\.cap in the account acct01/);
    assert.match(blob.message, /HTTP 404, BlobNotFound/);
    const container = describeStorageAnswer(
      answer(404, 'ContainerNotFound'),
      context(),
    );
    assert.equal(container.kind, 'not-found');
    assert.match(container.message, /container network-watcher-logs does not exist/);
  });

  test('hints at a private container for a URL without a token', () => {
    const error = describeStorageAnswer(
      answer(404, 'ResourceNotFound'),
      context('https://acct01.blob.core.windows.net/c/b.cap'),
    );
    assert.match(error.message, /no SAS token/);
  });

  test('names a range past the end, archived blobs and server trouble', () => {
    const range = describeStorageAnswer(
      { ...answer(416, 'InvalidRange'), rangeStart: 5000 },
      context(),
    );
    assert.equal(range.kind, 'range-not-satisfiable');
    assert.match(range.message, /from byte 5000/);
    assert.equal(kindOf(409, 'BlobArchived'), 'storage-error');
    assert.equal(kindOf(409, 'PublicAccessNotPermitted'), 'auth-failed');
    const busy = describeStorageAnswer(answer(503, 'ServerBusy'), context());
    assert.equal(busy.kind, 'storage-error');
    assert.match(busy.message, /try again/);
  });
});

describe('describeUnreachable', () => {
  test('says CORS when the host answered a no-cors probe', () => {
    const error = describeUnreachable(true, context());
    assert.equal(error.kind, 'cors');
    assert.match(error.message, /CORS rule/);
    assert.match(error.message, /may also be the network/);
    assert.equal(error.cors?.origin, ORIGIN);
    assert.equal(error.cors?.account, 'acct01');
  });

  test('says network when nothing answered, with the rule all the same', () => {
    const error = describeUnreachable(false, context());
    assert.equal(error.kind, 'network');
    assert.match(error.message, /did not answer/);
    assert.ok(error.cors);
  });
});

describe('corsAdvice', () => {
  test('writes the az command and the portal steps for this origin', () => {
    const advice = corsAdvice('http://127.0.0.1:4173', 'acct01');
    assert.equal(
      advice.azCommand,
      'az storage cors add --services b --account-name acct01 ' +
        '--origins http://127.0.0.1:4173 --methods GET HEAD ' +
        '--allowed-headers Range --exposed-headers Content-Range ' +
        'Content-Length ETag x-ms-error-code --max-age 3600',
    );
    const steps = advice.portalSteps.join('\n');
    assert.match(steps, /Resource sharing \(CORS\)/);
    assert.match(steps, /Blob service/);
    assert.match(steps, /Allowed origins http:\/\/127\.0\.0\.1:4173/);
    assert.match(steps, /Exposed headers Content-Range,Content-Length,ETag/);
    assert.ok(advice.exposedHeaders.includes('Content-Range'));
  });

  test('leaves a placeholder when the URL names no account', () => {
    assert.match(
      corsAdvice('https://x.example', null).azCommand,
      /--account-name <storage account>/,
    );
  });
});
