// Reading pasted blob URLs: both URL styles, and the paste mistakes that
// are repaired or named.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseBlobUrl } from '../../../apps/web/src/import/url/blob-url.js';

/** A signature of the right shape: 44 base64 characters, with a `+`. */
const SIG = 'ab+cdEFGhijklmnopqrstuvwxyz0123456789/ABCDE=';
const SIG_ENCODED = encodeURIComponent(SIG);
const TOKEN =
  'sv=2024-11-04&st=2026-12-04T10%3A00%3A00Z&se=2026-12-05T10%3A00%3A00Z' +
  `&sr=b&sp=r&sig=${SIG_ENCODED}`;
const NW_PATH =
  'subscriptions/0000/resourcegroups/rg1/providers/microsoft.compute/' +
  'virtualmachines/vm1/2026/12/04/packetcapture_10_05_07_123.cap';
const AZURE = `https://acct01.blob.core.windows.net/network-watcher-logs/${NW_PATH}`;
const EMULATOR = `http://127.0.0.1:10000/devstoreaccount1/network-watcher-logs/${NW_PATH}`;

function parsed(text: string) {
  const result = parseBlobUrl(text);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.location;
}

function refused(text: string): string {
  const result = parseBlobUrl(text);
  assert.ok(!result.ok, `${text} should be refused`);
  assert.equal(result.error.kind, 'bad-url');
  assert.doesNotMatch(result.error.message, /sig=/, 'no signature quoted');
  return result.error.message;
}

describe('parseBlobUrl', () => {
  test("reads Azure's host style", () => {
    const location = parsed(`${AZURE}?${TOKEN}`);
    assert.equal(location.style, 'azure');
    assert.equal(location.account, 'acct01');
    assert.equal(location.container, 'network-watcher-logs');
    assert.equal(location.blobPath, NW_PATH);
    assert.equal(location.fileName, 'packetcapture_10_05_07_123.cap');
    assert.equal(location.withoutQuery, AZURE);
    assert.equal(location.secure, true);
    assert.equal(location.loopback, false);
    assert.equal(location.params.get('sig'), SIG);
  });

  test("reads the emulator's path style", () => {
    const location = parsed(`${EMULATOR}?${TOKEN}`);
    assert.equal(location.style, 'path');
    assert.equal(location.account, 'devstoreaccount1');
    assert.equal(location.container, 'network-watcher-logs');
    assert.equal(location.blobPath, NW_PATH);
    assert.equal(location.loopback, true);
    assert.equal(location.host, '127.0.0.1:10000');
  });

  test('reads a custom domain in host style, and any other URL', () => {
    const custom = parsed(`https://files.example.com/c/dir/x.pcap?${TOKEN}`);
    assert.equal(custom.style, 'custom-domain');
    assert.equal(custom.container, 'c');
    assert.equal(custom.blobPath, 'dir/x.pcap');
    const other = parsed('https://example.com/captures/x.pcap');
    assert.equal(other.style, 'other');
    assert.equal(other.fileName, 'x.pcap');
  });

  test('decodes blob names', () => {
    const location = parsed(
      `https://acct01.blob.core.windows.net/c/my%20captures/a%2Bb.cap?${TOKEN}`,
    );
    assert.equal(location.blobPath, 'my captures/a+b.cap');
    assert.equal(location.fileName, 'a+b.cap');
  });

  test('repairs a signature whose + was written raw or became a space', () => {
    for (const raw of [SIG, SIG.replace('+', ' '), SIG.replace('+', '%20')]) {
      const text = `${AZURE}?${TOKEN.replace(SIG_ENCODED, raw)}`;
      const location = parsed(text);
      assert.equal(location.params.get('sig'), SIG, JSON.stringify(raw));
      assert.match(location.href, /sig=ab%2Bcd/);
    }
  });

  test('repairs quotes, line breaks and &amp; around a paste', () => {
    const wrapped = `"${AZURE}?${TOKEN.replace(/&/g, '&amp;')}"`;
    const location = parsed(wrapped.slice(0, 60) + '\n' + wrapped.slice(60));
    assert.equal(location.params.get('sp'), 'r');
    assert.equal(location.params.get('sig'), SIG);
  });

  test('adds https:// to an Azure host pasted without it', () => {
    const location = parsed(`${AZURE.replace('https://', '')}?${TOKEN}`);
    assert.equal(location.secure, true);
    assert.equal(location.account, 'acct01');
  });

  test('names a signature that lost its + or %2B', () => {
    const lostPlus = SIG.replace('+', '');
    const message = refused(`${AZURE}?${TOKEN.replace(SIG_ENCODED, lostPlus)}`);
    assert.match(message, /signature/);
    assert.match(message, /44 characters/);
    assert.match(message, /has 43/);
    const lostEscape = SIG_ENCODED.replace('%2B', '2B');
    refused(`${AZURE}?${TOKEN.replace(SIG_ENCODED, lostEscape)}`);
  });

  test('names a token without its ?', () => {
    const message = refused(`${AZURE}${TOKEN}`);
    assert.match(message, /`\?` between them is missing/);
    assert.match(message, /before sv=/);
    const portalOrder = `sp=r&st=2026-12-04&se=2026-12-05&sv=2024-11-04&sr=b&sig=${SIG_ENCODED}`;
    assert.match(refused(`${AZURE}${portalOrder}`), /before sp=/);
  });

  test('names a token pasted alone', () => {
    assert.match(refused(TOKEN), /SAS token alone/);
    assert.match(refused(`?${TOKEN}`), /SAS token alone/);
  });

  test('names container and account URLs', () => {
    const azureContainer = 'https://acct01.blob.core.windows.net/network-watcher-logs';
    assert.match(
      refused(`${azureContainer}?${TOKEN}`),
      /container network-watcher-logs, not of a blob/,
    );
    assert.match(refused(`${azureContainer}/?${TOKEN}`), /container/);
    assert.match(
      refused(`${azureContainer}/${NW_PATH}?restype=container&comp=list&${TOKEN}`),
      /container/,
    );
    assert.match(
      refused(`https://acct01.blob.core.windows.net/?${TOKEN}`),
      /only the storage account acct01/,
    );
    assert.match(
      refused(`http://127.0.0.1:10000/devstoreaccount1/logs?${TOKEN}`),
      /container logs/,
    );
    assert.match(
      refused(`http://127.0.0.1:10000/devstoreaccount1?${TOKEN}`),
      /only the storage account/,
    );
    assert.match(refused(`${azureContainer}/folder/?${TOKEN}`), /folder/);
  });

  test('refuses what is no http URL', () => {
    refused('');
    refused('not a url at all');
    assert.match(refused('ftp://example.com/x.cap'), /ftp:/);
  });

  test('tells loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) {
      assert.equal(parsed(`http://${host}:1/a/c/b.cap`).loopback, true, host);
    }
    assert.equal(parsed('http://10.0.0.1:1/a/c/b.cap').loopback, false);
  });
});
