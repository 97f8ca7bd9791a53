// Everything said about a pasted URL before it is fetched: the label, the
// question for plain http, pages that cannot fetch it, and the redaction
// of the token from anything kept.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readNetworkWatcherPath } from '../../../apps/web/src/import/url/network-watcher.js';
import { prepareUrlImport } from '../../../apps/web/src/import/url/open-url.js';
import { redactSas, withoutQuery } from '../../../apps/web/src/import/url/redact.js';

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const SIG = encodeURIComponent('Q'.repeat(43) + '=');
const TOKEN = `sv=2024-11-04&sr=b&sp=r&se=2026-12-05&sig=${SIG}`;
const NW_PATH =
  'subscriptions/5f1e/resourceGroups/RG-Prod/providers/Microsoft.Compute/' +
  'virtualMachines/web-vm-01/2026/11/30/packetcapture_09_41_07_250.cap';
const PAGE = { origin: 'http://127.0.0.1:4173', protocol: 'http:', nowMs: NOW };

describe('readNetworkWatcherPath', () => {
  test('labels a capture with its VM and start time in UTC', () => {
    assert.deepEqual(readNetworkWatcherPath(NW_PATH), {
      subscription: '5f1e',
      resourceGroup: 'RG-Prod',
      vm: 'web-vm-01',
      startedAt: '2026-11-30T09:41:07.250Z',
      label: 'web-vm-01, capture of 2026-11-30 09:41:07.250 UTC',
    });
  });

  test('names a scale set instance by set and instance', () => {
    const path = NW_PATH.replace(
      'virtualMachines/web-vm-01',
      'virtualMachineScaleSets/web-set/virtualMachines/3',
    );
    assert.equal(readNetworkWatcherPath(path)?.vm, 'web-set/3');
  });

  test('ignores other paths and impossible dates', () => {
    assert.equal(readNetworkWatcherPath('captures/monday.pcap'), null);
    assert.equal(
      readNetworkWatcherPath(NW_PATH.replace('/11/30/', '/02/30/')),
      null,
    );
    assert.equal(
      readNetworkWatcherPath(NW_PATH.replace('_09_41_', '_25_41_')),
      null,
    );
  });
});

describe('prepareUrlImport', () => {
  test('labels a Network Watcher blob and keeps the token out of view', () => {
    const url = `https://acct01.blob.core.windows.net/network-watcher-logs/${NW_PATH}`;
    const prepared = prepareUrlImport(`${url}?${TOKEN}`, PAGE);
    assert.ok(prepared.ok);
    const { request } = prepared;
    assert.equal(request.label, 'web-vm-01, capture of 2026-11-30 09:41:07.250 UTC');
    assert.equal(request.withoutQuery, url);
    assert.equal(request.confirm, null);
    assert.match(request.href, /sig=/);
    for (const shown of [request.label, request.withoutQuery, request.sasSummary]) {
      assert.doesNotMatch(shown, /sig|Q{10}/);
    }
  });

  test('labels any other blob by its file name', () => {
    const prepared = prepareUrlImport(
      `https://acct01.blob.core.windows.net/c/monday.pcapng?${TOKEN}`,
      PAGE,
    );
    assert.ok(prepared.ok);
    assert.equal(prepared.request.label, 'monday.pcapng');
  });

  test('opens https and loopback at once, asks first for other http', () => {
    const ask = (url: string) => {
      const prepared = prepareUrlImport(`${url}?${TOKEN}`, PAGE);
      assert.ok(prepared.ok, url);
      return prepared.request.confirm;
    };
    assert.equal(ask('https://acct01.blob.core.windows.net/c/b.cap'), null);
    assert.equal(ask('http://127.0.0.1:10000/acct/c/b.cap'), null);
    assert.equal(ask('http://localhost:10000/acct/c/b.cap'), null);
    assert.match(ask('http://10.1.2.3:10000/acct/c/b.cap') ?? '', /unencrypted/);
    assert.match(ask('http://storage.lan/c/b.cap') ?? '', /10\.1|storage\.lan/);
  });

  test('refuses plain http from an https page, except loopback', () => {
    const page = { ...PAGE, protocol: 'https:', origin: 'https://capscope.example' };
    const refused = prepareUrlImport(`http://10.1.2.3:10000/acct/c/b.cap?${TOKEN}`, page);
    assert.ok(!refused.ok);
    assert.equal(refused.error.kind, 'bad-url');
    assert.equal(refused.label, 'b.cap');
    assert.ok(prepareUrlImport(`http://127.0.0.1:10000/acct/c/b.cap?${TOKEN}`, page).ok);
  });

  test('reports the token and paste problems before any fetch', () => {
    const expired = prepareUrlImport(
      `https://acct01.blob.core.windows.net/c/b.cap?${TOKEN.replace('2026-12-05', '2026-12-01')}`,
      PAGE,
    );
    assert.ok(!expired.ok);
    assert.equal(expired.error.kind, 'sas-expired');
    const container = prepareUrlImport(
      `https://acct01.blob.core.windows.net/c?${TOKEN}`,
      PAGE,
    );
    assert.ok(!container.ok);
    assert.equal(container.error.kind, 'bad-url');
    assert.equal(container.label, 'this URL');
  });
});

describe('redaction', () => {
  test('withoutQuery drops the query and the fragment', () => {
    assert.equal(withoutQuery('https://a/b?sig=1#x'), 'https://a/b');
    assert.equal(withoutQuery('https://a/b#x'), 'https://a/b');
    assert.equal(withoutQuery('https://a/b'), 'https://a/b');
  });

  test('redactSas removes queries and signatures from any text', () => {
    const text =
      `failed to fetch https://a.blob.core.windows.net/c/b?${TOKEN} ` +
      `(sig=${SIG}) and sig%3D${SIG}`;
    const redacted = redactSas(text);
    assert.doesNotMatch(redacted, /sig=|sig%3D|Q{5}/i);
    assert.match(redacted, /https:\/\/a\.blob\.core\.windows\.net\/c\/b /);
  });
});
