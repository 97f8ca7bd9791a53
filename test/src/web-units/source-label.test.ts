// What a dataset keeps of where a capture came from: never a SAS token.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  sourceLabel,
  sourceName,
} from '../../../apps/web/src/store/source-label.js';

const SAS =
  'sv=2025-01-05&se=2026-12-31T00%3A00%3A00Z&sr=b&sp=r&sig=AbC%2Bdef%3D';

test('a blob URL loses its query, fragment and user info', () => {
  assert.equal(
    sourceLabel(`https://acct.blob.core.windows.net/caps/vm1/a.cap?${SAS}`),
    'https://acct.blob.core.windows.net/caps/vm1/a.cap',
  );
  assert.equal(
    sourceLabel(`https://user:pw@acct.example/c/b.pcap?${SAS}#frag`),
    'https://acct.example/c/b.pcap',
  );
});

test('anything else loses everything from a ?', () => {
  assert.equal(sourceLabel('capture.pcap'), 'capture.pcap');
  assert.equal(sourceLabel(`capture.pcap?${SAS}`), 'capture.pcap');
  assert.equal(sourceLabel(`not a url://x?${SAS}`), 'not a url://x');
  assert.equal(sourceLabel(' trace#2.pcapng '), 'trace#2.pcapng');
});

test('no label keeps a signature, however it is written', () => {
  for (const label of [
    `https://acct.blob.core.windows.net/c/x.cap?${SAS}`,
    `HTTPS://ACCT.BLOB.CORE.WINDOWS.NET/c/x.cap?SIG=abc`,
    `x.cap?${SAS}`,
    `https://a.example/x.cap#${SAS}`,
  ]) {
    assert.doesNotMatch(sourceLabel(label), /sig=|se=|sv=/i, label);
  }
});

test('a short name is the last path segment of a URL, decoded', () => {
  assert.equal(
    sourceName('https://acct.blob.core.windows.net/caps/vm%201/a%20b.cap'),
    'a b.cap',
  );
  assert.equal(sourceName('capture.pcap'), 'capture.pcap');
});
