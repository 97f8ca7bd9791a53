import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpLayer } from './decode.js';
import {
  DecodedPacket,
  decodePacket,
  TUNNEL_6IN4,
  TUNNEL_GENEVE,
  TUNNEL_GRE,
  TUNNEL_IPIP,
  TUNNEL_VXLAN,
} from './decode.js';
import { newPacketRecord } from './record.js';
import * as T from './testing.js';

const A4 = [192, 0, 2, 10];
const B4 = [198, 51, 100, 20];
const A6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
const B6 = T.v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);

function decode(linkType: number, frame: Uint8Array): DecodedPacket {
  const record = newPacketRecord();
  // Put the frame at an offset, as inside a chunk, to catch offset slips.
  const buffer = T.concat(T.bytes(0xee, 0xee, 0xee), frame);
  record.linkType = linkType;
  record.data = buffer;
  record.dataOffset = 3;
  record.capturedLength = frame.length;
  record.originalLength = frame.length;
  const out = new DecodedPacket();
  decodePacket(record, out);
  // Keep the buffer reachable for address checks.
  (out as unknown as { buffer: Uint8Array }).buffer = buffer;
  return out;
}

function addresses(d: DecodedPacket, layer: IpLayer): [number[], number[]] {
  const buffer = (d as unknown as { buffer: Uint8Array }).buffer;
  const length = layer.version === 4 ? 4 : 16;
  return [
    Array.from(buffer.subarray(layer.srcOffset, layer.srcOffset + length)),
    Array.from(buffer.subarray(layer.dstOffset, layer.dstOffset + length)),
  ];
}

const tcp4: Uint8Array = T.ipv4(A4, B4, 6, T.tcp(49152, 443, 0x02));
const udp6 = T.ipv6(A6, B6, 17, T.udp(5353, 53, T.bytes(1, 2, 3, 4)));

function assertTcp4(d: DecodedPacket): void {
  assert.equal(d.layerCount, 1);
  const layer = d.layers[0];
  assert.equal(layer.version, 4);
  assert.equal(layer.protocol, 6);
  assert.equal(layer.srcPort, 49152);
  assert.equal(layer.dstPort, 443);
  assert.equal(layer.tcpFlags, 0x02);
  assert.deepEqual(addresses(d, layer), [A4, B4]);
}

function assertUdp6(d: DecodedPacket): void {
  assert.equal(d.layerCount, 1);
  const layer = d.layers[0];
  assert.equal(layer.version, 6);
  assert.equal(layer.protocol, 17);
  assert.equal(layer.srcPort, 5353);
  assert.equal(layer.dstPort, 53);
  assert.equal(layer.payloadLength, 4);
  assert.deepEqual(addresses(d, layer), [A6, B6]);
}

test('Ethernet: IPv4/TCP and IPv6/UDP', () => {
  assertTcp4(decode(1, T.ethernet(0x0800, tcp4)));
  assertUdp6(decode(1, T.ethernet(0x86dd, udp6)));
});

test('Ethernet with 802.1Q tags, stacked', () => {
  const d = decode(1, T.ethernet(0x0800, tcp4, [100, 200]));
  assertTcp4(d);
  assert.equal(d.vlanId, 100);
});

for (const linkType of [12, 14, 101]) {
  test(`raw IP (link type ${linkType}) by version nibble`, () => {
    assertTcp4(decode(linkType, tcp4));
    assertUdp6(decode(linkType, udp6));
  });
}

test('raw IPv4 (228) and raw IPv6 (229)', () => {
  assertTcp4(decode(228, tcp4));
  assertUdp6(decode(229, udp6));
});

test('Linux cooked capture v1 (113) and v2 (276)', () => {
  const sll = (type: number, ip: Uint8Array) => T.concat(
    T.bytes(0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0xa, 0), T.u16be(type), ip);
  assertTcp4(decode(113, sll(0x0800, tcp4)));
  assertUdp6(decode(113, sll(0x86dd, udp6)));
  const sll2 = (type: number, ip: Uint8Array) => T.concat(T.u16be(type),
    T.bytes(0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0xa, 0), ip);
  assertTcp4(decode(276, sll2(0x0800, tcp4)));
  assertUdp6(decode(276, sll2(0x86dd, udp6)));
});

test('BSD loopback: NULL in either byte order, LOOP in network order', () => {
  assertTcp4(decode(0, T.concat(T.bytes(2, 0, 0, 0), tcp4)));
  assertTcp4(decode(0, T.concat(T.bytes(0, 0, 0, 2), tcp4)));
  for (const family of [24, 28, 30]) {
    assertUdp6(decode(0, T.concat(T.bytes(family, 0, 0, 0), udp6)));
  }
  assertTcp4(decode(108, T.concat(T.bytes(0, 0, 0, 2), tcp4)));
  assertUdp6(decode(108, T.concat(T.bytes(0, 0, 0, 30), udp6)));
});

test('ICMP echo and ICMPv6 echo carry type, code and identifier', () => {
  const icmp = decode(101, T.ipv4(A4, B4, 1, T.icmpEcho(8, 0x1234, 1)));
  assert.equal(icmp.layers[0].icmpType, 8);
  assert.equal(icmp.layers[0].icmpCode, 0);
  assert.equal(icmp.layers[0].icmpId, 0x1234);
  const icmp6 = decode(101, T.ipv6(A6, B6, 58, T.icmpEcho(129, 7, 1)));
  assert.equal(icmp6.layers[0].protocol, 58);
  assert.equal(icmp6.layers[0].icmpType, 129);
  assert.equal(icmp6.layers[0].icmpId, 7);
  const unreachable = decode(101, T.ipv4(A4, B4, 1,
    T.concat(T.bytes(3, 3, 0, 0, 0, 0, 0, 0), tcp4)));
  assert.equal(unreachable.layers[0].icmpId, -1);
});

test('IPv6 extension headers are walked to the transport header', () => {
  const udp = T.udp(1000, 2000);
  const destOptions = T.concat(T.bytes(17, 0, 1, 4, 0, 0, 0, 0), udp);
  const fragment = T.concat(T.bytes(60, 0, 0, 0, 0, 0, 0, 9), destOptions);
  const hopByHop = T.concat(T.bytes(44, 0, 1, 4, 0, 0, 0, 0), fragment);
  const d = decode(101, T.ipv6(A6, B6, 0, hopByHop));
  const layer = d.layers[0];
  assert.equal(layer.protocol, 17);
  assert.equal(layer.srcPort, 1000);
  assert.equal(layer.dstPort, 2000);
  assert.equal(layer.fragmentId, 9);
  assert.equal(layer.fragment, false); // offset 0 and no more fragments
});

test('an endless IPv6 extension chain stops with a problem', () => {
  const chain: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) chain.push(T.bytes(60, 0, 1, 4, 0, 0, 0, 0));
  const d = decode(101, T.ipv6(A6, B6, 60, T.concat(...chain)));
  assert.match(d.malformed ?? '', /too long/);
});

test('IPv4 fragments: ports in the first, none in the rest', () => {
  const first = decode(101, T.ipv4(A4, B4, 17, T.udp(1, 2, new Uint8Array(16)),
    { id: 77, offset: 0, more: true }));
  assert.equal(first.layers[0].fragment, true);
  assert.equal(first.layers[0].srcPort, 1);
  const later = decode(101, T.ipv4(A4, B4, 17, new Uint8Array(16),
    { id: 77, offset: 24, more: false }));
  assert.equal(later.layers[0].fragment, true);
  assert.equal(later.layers[0].fragmentOffset, 24);
  assert.equal(later.layers[0].srcPort, -1);
  assert.equal(later.layers[0].fragmentId, 77);
});

test('a TCP header cut by the snap length keeps the ports it has', () => {
  const cut = tcp4.subarray(0, 20 + 6);
  const d = decode(101, cut);
  assert.equal(d.layers[0].srcPort, 49152);
  assert.equal(d.layers[0].truncated, true);
  const noPorts = decode(101, tcp4.subarray(0, 22));
  assert.equal(noPorts.layers[0].srcPort, -1);
});

test('tunnels give one layer each: IP in IP, GRE, VXLAN', () => {
  const ipip = decode(101, T.ipv4(B4, A4, 4, tcp4));
  assert.equal(ipip.layerCount, 2);
  assert.equal(ipip.layers[0].carries, TUNNEL_IPIP);
  assert.equal(ipip.layers[1].dstPort, 443);

  const gre = decode(101, T.ipv4(B4, A4, 47,
    T.concat(T.bytes(0x20, 0), T.u16be(0x0800), T.bytes(0, 0, 0, 42), tcp4)));
  assert.equal(gre.layerCount, 2);
  assert.equal(gre.layers[0].carries, TUNNEL_GRE);
  assert.equal(gre.layers[1].srcPort, 49152);

  const vxlan = decode(1, T.ethernet(0x0800, T.ipv4(B4, A4, 17,
    T.udp(5000, 4789, T.concat(T.bytes(8, 0, 0, 0, 0, 0, 1, 0),
      T.ethernet(0x86dd, udp6))))));
  assert.equal(vxlan.layerCount, 2);
  assert.equal(vxlan.layers[0].carries, TUNNEL_VXLAN);
  assert.equal(vxlan.layers[1].version, 6);
  assert.equal(vxlan.layers[1].dstPort, 53);
});

test('frames without IP keep their ethertype; unknown links are flagged', () => {
  const arp = decode(1, T.ethernet(0x0806, new Uint8Array(28)));
  assert.equal(arp.layerCount, 0);
  assert.equal(arp.etherType, 0x0806);
  const unknown = decode(147, tcp4);
  assert.equal(unknown.unknownLink, true);
});

test('stacked VLAN tags of every kind, to any depth', () => {
  const inner = T.concat(T.u16be(0x0800), tcp4);
  let frame = inner;
  for (const [tpid, id] of [[0x8100, 30], [0x9100, 20], [0x88a8, 10]]) {
    frame = T.concat(T.u16be(tpid), T.concat(T.u16be(id), frame));
  }
  // Destination and source MACs, then the outermost tag's TPID.
  const ethernet = T.concat(new Uint8Array(12), frame);
  const d = decode(1, ethernet);
  assertTcp4(d);
  assert.equal(d.vlanId, 10);
});

test('MPLS label stacks, and a pseudowire with a control word', () => {
  const label = (value: number, bottom: boolean) => T.bytes(value >> 12,
    (value >> 4) & 0xff, ((value & 0xf) << 4) | (bottom ? 1 : 0), 64);
  const routed = decode(1, T.ethernet(0x8847,
    T.concat(label(100, false), label(200, true), tcp4)));
  assertTcp4(routed);
  assert.equal(routed.mplsLabel, 100);
  const pseudowire = decode(1, T.ethernet(0x8847, T.concat(label(300, true),
    T.bytes(0, 0, 0, 0), T.ethernet(0x86dd, udp6))));
  assertUdp6(pseudowire);
});

test('PPPoE session carrying IPv4 and IPv6', () => {
  const pppoe = (protocol: number, ip: Uint8Array) => T.concat(
    T.bytes(0x11, 0, 0x12, 0x34), T.u16be(ip.length + 2), T.u16be(protocol),
    ip);
  assertTcp4(decode(1, T.ethernet(0x8864, pppoe(0x0021, tcp4))));
  assertUdp6(decode(1, T.ethernet(0x8864, pppoe(0x0057, udp6))));
});

test('IPv6 in IPv4, GENEVE, and enhanced GRE (PPTP) with PPP', () => {
  const sixInFour = decode(101, T.ipv4(B4, A4, 41, udp6));
  assert.equal(sixInFour.layerCount, 2);
  assert.equal(sixInFour.layers[0].carries, TUNNEL_6IN4);
  assert.equal(sixInFour.layers[1].dstPort, 53);

  const geneve = decode(101, T.ipv4(B4, A4, 17, T.udp(40000, 6081,
    T.concat(T.bytes(0x01, 0, 0x65, 0x58, 0, 0, 1, 0), T.bytes(0, 0, 0, 0),
      T.ethernet(0x0800, tcp4)))));
  assert.equal(geneve.layerCount, 2);
  assert.equal(geneve.layers[0].carries, TUNNEL_GENEVE);
  assert.equal(geneve.layers[1].dstPort, 443);

  // Version 1 GRE: key (payload length, call id) and a sequence number,
  // then PPP with its address and control bytes.
  const pptp = decode(101, T.ipv4(B4, A4, 47, T.concat(
    T.bytes(0x30, 0x01), T.u16be(0x880b), T.u16be(tcp4.length + 4),
    T.u16be(7), T.bytes(0, 0, 0, 1), T.bytes(0xff, 0x03, 0x00, 0x21),
    tcp4)));
  assert.equal(pptp.layerCount, 2);
  assert.equal(pptp.layers[0].carries, TUNNEL_GRE);
  assert.equal(pptp.layers[1].srcPort, 49152);
});

test('802.11 data frames behind radiotap; protected frames are not read',
  () => {
    const radiotap = T.bytes(0, 0, 8, 0, 0, 0, 0, 0);
    const header = (flags: number) => T.concat(T.bytes(0x08, flags),
      new Uint8Array(22));
    const snap = T.bytes(0xaa, 0xaa, 0x03, 0, 0, 0);
    assertTcp4(decode(127, T.concat(radiotap, header(0x01), snap,
      T.u16be(0x0800), tcp4)));
    const qos = T.concat(T.bytes(0x88, 0x02), new Uint8Array(22),
      T.bytes(0, 0));
    assertUdp6(decode(127, T.concat(radiotap, qos, snap, T.u16be(0x86dd),
      udp6)));
    const secret = decode(127, T.concat(radiotap, header(0x41), snap,
      T.u16be(0x0800), tcp4));
    assert.equal(secret.layerCount, 0);
  });
