import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodedPacket, decodePacket } from './decode.js';
import { createTsHeaderReader } from './header-kernel.js';
import {
  decodeFromHeaderRecord,
  packetFromHeader,
} from './header-kernel-decoded.js';
import type { HeaderBatch } from './header-kernel-layout.js';
import * as W from './header-kernel-layout.js';
import { loadHeaderKernel } from './header-kernel-node.js';
import type { HeaderSink } from './header-kernel-reader.js';
import { classicPcapCorpus, mutate, prng } from './header-kernel-testing.js';
import { createWasmHeaderReader } from './header-kernel-wasm.js';
import { CaptureReader } from './reader.js';
import type { PacketRecord } from './record.js';
import { newPacketRecord } from './record.js';
import * as T from './testing.js';

/**
 * decodeFromHeaderRecord() against decodePacket(), the way the analysis
 * uses it: one DecodedPacket is filled from the record where it can be
 * and decoded otherwise, and after every packet it must equal one that
 * decodePacket() alone filled, stale fields included (what a packet does
 * not set is what the packet before left). wireEnd is the one field left
 * out: decodePacket() uses it inside itself and nothing reads it after.
 */

const kernelModule = await loadHeaderKernel();
const corpus = classicPcapCorpus();

interface Tally {
  packets: number;
  filled: number;
}

function layerFields(decoded: DecodedPacket): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    layerCount: decoded.layerCount,
    etherType: decoded.etherType,
    vlanId: decoded.vlanId,
    mplsLabel: decoded.mplsLabel,
    unknownLink: decoded.unknownLink,
    malformed: decoded.malformed,
    headers: [...decoded.headers.subarray(0, decoded.headerCount)],
  };
  decoded.layers.forEach((layer, i) => {
    for (const [name, value] of Object.entries(layer)) {
      if (name === 'wireEnd') continue;
      fields[`layer${i}.${name}`] =
        name === 'quoted' ? { ...(value as object) } : value;
    }
  });
  return fields;
}

/** What CaptureReader hands out for the same packet. */
function referencePackets(file: Uint8Array): Array<Partial<PacketRecord>> {
  const packets: Array<Partial<PacketRecord>> = [];
  const reader = new CaptureReader({
    packet(record) {
      const { data: _data, dataOffset: _at, ...rest } = record;
      packets.push({ ...rest });
    },
    problem() {},
  });
  try {
    reader.push(file);
    reader.end();
  } catch {
    // A file damaged past reading: the packets before count.
  }
  return packets;
}

async function compare(
  file: Uint8Array,
  label: string,
  kernel: 'ts' | 'wasm',
  tally: Tally,
): Promise<void> {
  const expectedPackets = referencePackets(file);
  const mixed = new DecodedPacket();
  const reference = new DecodedPacket();
  const record = newPacketRecord();
  const sink: HeaderSink = {
    records(batch: HeaderBatch) {
      for (let i = 0; i < batch.count; i++) {
        packetFromHeader(batch, i, record);
        const { data: _data, dataOffset: _at, ...framing } = record;
        assert.deepEqual(framing, expectedPackets[record.index - 1],
          `${label} (${kernel}): packet ${record.index} framing`);
        const filled = decodeFromHeaderRecord(record, batch.words,
          i * W.RECORD_WORDS, mixed);
        if (!filled) decodePacket(record, mixed);
        decodePacket(record, reference);
        tally.packets++;
        if (filled) tally.filled++;
        assert.deepEqual(layerFields(mixed), layerFields(reference),
          `${label} (${kernel}): packet ${record.index}` +
            (filled ? ', filled from its record' : ''));
      }
    },
    problem() {},
  };
  const reader = kernel === 'ts'
    ? createTsHeaderReader(sink)
    : await createWasmHeaderReader(sink, kernelModule);
  try {
    reader.push(file);
    reader.end();
  } catch {
    // As above.
  }
}

test('plain frames of the corpus are filled as decodePacket fills them',
  async () => {
    const tally: Tally = { packets: 0, filled: 0 };
    for (const { name, bytes } of corpus) {
      await compare(bytes, name, 'ts', tally);
      await compare(bytes, name, 'wasm', tally);
    }
    // Most of the corpus is plain TCP, UDP and ICMP.
    assert.ok(tally.filled > tally.packets / 2,
      `${tally.filled} of ${tally.packets} packets filled`);
  });

/**
 * Frames of every shape the filler takes or must refuse: up to three VLAN
 * tags, raw IP, IPv4 fragments (first and later), IPv6 with and without
 * an extension header, ICMP echo and errors, tunnels, frames cut by the
 * snap length, and ARP.
 */
function shapes(linkType: number): Uint8Array {
  const a = [10, 0, 0, 1];
  const b = [192, 0, 2, 7];
  const a6 = T.v6(0xfd00, 0, 0, 0, 0, 0, 0, 1);
  const b6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
  const payload = new Uint8Array(40).fill(0x41);
  const ips = [
    T.ipv4(a, b, 6, T.tcp(40000, 443, 0x02, new Uint8Array(0), 0x80000001)),
    T.ipv4(b, a, 6, T.tcp(443, 40000, 0x12, payload, 0xfffffff0)),
    T.ipv4(a, b, 17, T.udp(5353, 53, payload)),
    T.ipv4(a, b, 17, T.udp(5000, 4789, payload)),
    T.ipv4(a, b, 1, T.icmpEcho(8, 77, 1)),
    T.ipv4(b, a, 1, T.concat(T.bytes(3, 3, 0, 0, 0, 0, 0, 0),
      T.ipv4(a, b, 17, T.udp(1, 2)))),
    T.ipv4(a, b, 17, T.udp(7000, 7001, payload),
      { id: 9, offset: 0, more: true }),
    T.ipv4(a, b, 17, payload, { id: 9, offset: 48, more: false }),
    T.ipv4(a, b, 6, payload, { id: 10, offset: 1480, more: true }),
    T.ipv4(a, b, 47, payload),
    T.ipv4(a, b, 4, T.ipv4(b, a, 6, T.tcp(1, 2, 0x10))),
    T.ipv6(a6, b6, 6, T.tcp(50000, 80, 0x18, payload, 7)),
    T.ipv6(b6, a6, 17, T.udp(53, 50001, payload)),
    T.ipv6(a6, b6, 58, T.icmpEcho(128, 5, 6)),
    T.ipv6(a6, b6, 0, T.concat(T.bytes(6, 0, 1, 4, 0, 0, 0, 0),
      T.tcp(50002, 80, 0x02))),
  ];
  const frames: Uint8Array[] = [];
  for (const ip of ips) {
    const etherType = ip[0] >> 4 === 4 ? 0x0800 : 0x86dd;
    if (linkType !== 1) {
      frames.push(ip);
      continue;
    }
    for (const tags of [[], [100], [100, 200], [1, 2, 3]]) {
      frames.push(T.ethernet(etherType, ip, tags));
    }
  }
  if (linkType === 1) {
    frames.push(T.ethernet(0x0806, new Uint8Array(28)));
  }
  const packets: T.TestPacket[] = [];
  frames.forEach((data, i) => {
    packets.push({ seconds: 1_800_000_000 + i, fraction: i * 1000, data });
    // The same frame cut at several lengths, as a snap length cuts it.
    for (const keep of [20, 34, 38, 50, 58, 62]) {
      if (keep >= data.length) continue;
      packets.push({ seconds: 1_800_000_000 + i, fraction: 1,
        data: data.slice(0, keep), originalLength: data.length });
    }
  });
  return T.pcapFile({ linkType }, packets);
}

test('frames of every shape are filled or refused as they must be',
  async () => {
    for (const linkType of [1, 101]) {
      const tally: Tally = { packets: 0, filled: 0 };
      const file = shapes(linkType);
      await compare(file, `shapes, link type ${linkType}`, 'ts', tally);
      await compare(file, `shapes, link type ${linkType}`, 'wasm', tally);
      assert.ok(tally.filled > 20 && tally.filled < tally.packets,
        `link type ${linkType}: ${tally.filled} of ${tally.packets} filled`);
    }
  });

test('damaged copies of the corpus are filled as decodePacket fills them',
  async () => {
    const random = prng(20261205);
    const tally: Tally = { packets: 0, filled: 0 };
    for (let variant = 0; variant < 600; variant++) {
      const { name, bytes } = corpus[variant % corpus.length];
      const damaged = mutate(bytes.subarray(0, 32 * 1024), random);
      await compare(damaged, `${name} variant ${variant}`,
        variant % 2 === 0 ? 'ts' : 'wasm', tally);
    }
    assert.ok(tally.filled > 1000, `${tally.filled} packets filled`);
  });
