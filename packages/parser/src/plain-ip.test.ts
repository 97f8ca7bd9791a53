import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DecodedPacket, decodePacket } from './decode.js';
import { CORPUS_DIR, mutate, prng } from './header-kernel-testing.js';
import { plainIpHeader } from './plain-ip.js';
import { CaptureReader } from './reader.js';
import type { PacketRecord } from './record.js';
import * as T from './testing.js';

/** Checks every record of `file`; returns how many were plain. */
function checkFile(file: Uint8Array, label: string): number {
  const decoded = new DecodedPacket();
  let plain = 0;
  const check = (record: PacketRecord) => {
    const at = plainIpHeader(record);
    if (at < 0) return;
    plain++;
    decodePacket(record, decoded);
    const where = `${label} packet ${record.index}`;
    assert.equal(decoded.layerCount, 1, where);
    const layer = decoded.layers[0];
    const v4 = record.data[at] >> 4 === 4;
    assert.equal(layer.version, v4 ? 4 : 6, where);
    assert.equal(layer.srcOffset, at + (v4 ? 12 : 8), where);
    assert.equal(layer.dstOffset, at + (v4 ? 16 : 24), where);
  };
  const reader = new CaptureReader({
    format() {}, interface() {}, problem() {}, packet: check,
  });
  try {
    reader.push(file);
    reader.end();
  } catch {
    // Not a capture: nothing to compare.
  }
  return plain;
}

const corpus = readdirSync(CORPUS_DIR)
  .filter((name) => /\.(pcap|pcapng|cap)$/.test(name))
  .map((name) => ({ name, bytes: new Uint8Array(readFileSync(CORPUS_DIR + name)) }));

test('a plain frame decodes to one IP layer there, on the corpus', () => {
  let plain = 0;
  for (const { name, bytes } of corpus) plain += checkFile(bytes, name);
  assert.ok(plain > 10_000, `${plain} plain frames`);
});

test('tunnels, stacked tags and odd headers are never plain', () => {
  const a = [10, 0, 0, 1];
  const b = [10, 0, 0, 2];
  const inner = T.ipv4(a, b, 6, T.tcp(1, 2, 0x10));
  const frames = [
    T.ethernet(0x0800, T.ipv4(a, b, 17, T.udp(5000, 4789,
      T.concat(new Uint8Array(8), T.ethernet(0x0800, inner))))),
    T.ethernet(0x0800, T.ipv4(a, b, 17, T.udp(5000, 6081,
      T.concat(T.bytes(0, 0, 0x08, 0, 0, 0, 0, 0), inner)))),
    T.ethernet(0x0800, T.ipv4(a, b, 4, inner)),
    T.ethernet(0x0800, T.ipv4(a, b, 47, T.concat(T.bytes(0, 0, 8, 0), inner))),
    T.ethernet(0x0800, inner, [1, 2, 3]),
    T.ethernet(0x0800, inner, [7]),
    T.ethernet(0x86dd, T.ipv6(T.v6(1), T.v6(2), 0,
      T.concat(T.bytes(6, 0, 0, 0, 0, 0, 0, 0), T.tcp(1, 2, 0x10)))),
  ];
  const file = T.pcapFile({}, frames.map((data, i) => ({
    seconds: i, fraction: 0, data })));
  const plain: number[] = [];
  const reader = new CaptureReader({
    format() {}, interface() {}, problem() {},
    packet(record) { plain.push(plainIpHeader(record)); },
  });
  reader.push(file);
  reader.end();
  // Only the single-tagged frame is plain.
  assert.deepEqual(plain.map((at) => at >= 0),
    [false, false, false, false, false, true, false]);
  assert.equal(checkFile(file, 'built'), 1);
});

test('a plain frame decodes to one IP layer there, on damaged files', () => {
  const random = prng(7);
  for (let i = 0; i < 3000; i++) {
    const { name, bytes } = corpus[i % corpus.length];
    checkFile(mutate(bytes.subarray(0, 16 * 1024), random), `${name} #${i}`);
  }
});
