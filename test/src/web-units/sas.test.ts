// Reading a SAS token before any fetch: its kind, times and rights.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkSas,
  CLOCK_SKEW_MS,
  describeSas,
  formatRelative,
  readSas,
} from '../../../apps/web/src/import/url/sas.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const HOUR = 3600_000;
const SIG = 'sig=' + encodeURIComponent('A'.repeat(43) + '=');

function sas(query: string) {
  return readSas(new URLSearchParams(query));
}

describe('readSas', () => {
  test('tells service, account and user delegation tokens', () => {
    assert.equal(sas(`sv=1&sr=b&sp=r&se=2026-12-05&${SIG}`).kind, 'service');
    assert.equal(
      sas(`sv=1&ss=b&srt=o&sp=r&se=2026-12-05&${SIG}`).kind,
      'account',
    );
    assert.equal(
      sas(`sv=1&sr=b&sp=r&skoid=x&sktid=y&ske=2026-12-05&${SIG}`).kind,
      'user-delegation',
    );
    assert.equal(sas('').kind, 'none');
  });

  test('reads every time form SAS tokens use', () => {
    const forms: Array<[string, number]> = [
      ['2026-12-04', Date.UTC(2026, 11, 4)],
      ['2026-12-04T18:08Z', Date.UTC(2026, 11, 4, 18, 8)],
      ['2026-12-04T18:08:03Z', Date.UTC(2026, 11, 4, 18, 8, 3)],
      ['2026-12-04T18:08:03.1234567Z', Date.UTC(2026, 11, 4, 18, 8, 3, 123)],
    ];
    for (const [text, ms] of forms) {
      const info = sas(`se=${encodeURIComponent(text)}&${SIG}`);
      assert.equal(info.expiryMs, ms, text);
      assert.equal(info.badTime, null);
    }
    assert.deepEqual(sas(`se=tomorrow&${SIG}`).badTime, {
      field: 'se',
      text: 'tomorrow',
    });
  });
});

describe('checkSas', () => {
  const at = (ms: number) => new Date(ms).toISOString();

  test('accepts a valid read token', () => {
    const info = sas(`sp=rl&st=${at(NOW - HOUR)}&se=${at(NOW + HOUR)}&${SIG}`);
    assert.equal(checkSas(info, NOW, true), null);
    assert.equal(
      describeSas(info),
      'service SAS, read, list, valid until 2026-12-04 13:00:00 UTC',
    );
  });

  test('explains an expired token, in UTC', () => {
    const info = sas(`sp=r&se=${at(NOW - 2 * HOUR)}&${SIG}`);
    const error = checkSas(info, NOW, true);
    assert.equal(error?.kind, 'sas-expired');
    assert.match(error.message, /expired at 2026-12-04 10:00:00 UTC/);
    assert.match(error.message, /2 hours ago/);
    assert.match(error.message, /Generate SAS/);
  });

  test('leaves tokens within the clock skew to the service', () => {
    const justExpired = sas(`sp=r&se=${at(NOW - CLOCK_SKEW_MS / 2)}&${SIG}`);
    assert.equal(checkSas(justExpired, NOW, true), null);
    const almostValid = sas(`sp=r&st=${at(NOW + CLOCK_SKEW_MS / 2)}&${SIG}`);
    assert.equal(checkSas(almostValid, NOW, true), null);
  });

  test('explains a token not valid yet', () => {
    const info = sas(`sp=r&st=${at(NOW + 3 * HOUR)}&se=${at(NOW + 9 * HOUR)}&${SIG}`);
    const error = checkSas(info, NOW, true);
    assert.equal(error?.kind, 'sas-not-yet-valid');
    assert.match(error.message, /from 2026-12-04 15:00:00 UTC/);
    assert.match(error.message, /in 3 hours/);
  });

  test('explains a user delegation key that expired', () => {
    const info = sas(
      `sp=r&se=${at(NOW + HOUR)}&skoid=a&sktid=b&ske=${at(NOW - HOUR)}&${SIG}`,
    );
    assert.equal(checkSas(info, NOW, true)?.kind, 'sas-expired');
  });

  test('explains a token without read permission', () => {
    const error = checkSas(sas(`sp=wc&se=${at(NOW + HOUR)}&${SIG}`), NOW, true);
    assert.equal(error?.kind, 'sas-permission');
    assert.match(error.message, /"wc" \(write, create\) but not read/);
    assert.equal(
      checkSas(sas(`se=${at(NOW + HOUR)}&${SIG}`), NOW, true)?.kind,
      'sas-permission',
    );
  });

  test('checks an account token covers blobs and objects', () => {
    const base = `sp=r&se=${at(NOW + HOUR)}&${SIG}`;
    assert.equal(checkSas(sas(`${base}&ss=bf&srt=sco`), NOW, true), null);
    assert.match(
      checkSas(sas(`${base}&ss=qt&srt=o`), NOW, true)?.message ?? '',
      /other services/,
    );
    assert.match(
      checkSas(sas(`${base}&ss=b&srt=sc`), NOW, true)?.message ?? '',
      /objects/,
    );
  });

  test('leaves a stored access policy to the service', () => {
    assert.equal(checkSas(sas(`si=policy1&${SIG}`), NOW, true), null);
  });

  test('names an https-only token on an http URL', () => {
    const info = sas(`sp=r&spr=https&se=${at(NOW + HOUR)}&${SIG}`);
    assert.equal(checkSas(info, NOW, false)?.kind, 'bad-url');
    assert.equal(checkSas(info, NOW, true), null);
  });

  test('says how far away a time is', () => {
    assert.equal(formatRelative(NOW - 30_000, NOW), '30 seconds ago');
    assert.equal(formatRelative(NOW + 1000, NOW), 'in 1 second');
    assert.equal(formatRelative(NOW + 45 * 60_000, NOW), 'in 45 minutes');
    assert.equal(formatRelative(NOW - 3 * 86400_000, NOW), '3 days ago');
  });
});
