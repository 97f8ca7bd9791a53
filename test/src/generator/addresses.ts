/**
 * Address text to bytes and back. Parsing is strict: these addresses are
 * written by hand in the scenario, and a typo should fail loudly.
 */

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) {
      throw new Error(`not an IPv4 address: ${text}`);
    }
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIpv4(value: number): string {
  const octets = [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff];
  return `${octets.join('.')}.${value & 0xff}`;
}

/** The 4 bytes of an IPv4 address in network order, as DNS A data. */
export function ipv4Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

/** Hexadecimal groups only; the dotted IPv4 tail form is not needed here. */
export function parseIpv6(text: string): Uint8Array {
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${text}`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail =
    halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  const compressed = halves.length === 2;
  if (compressed ? missing < 1 : missing !== 0) {
    throw new Error(`not an IPv6 address: ${text}`);
  }

  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) {
      throw new Error(`not an IPv6 address: ${text}`);
    }
    const value = parseInt(group, 16);
    bytes[2 * i] = value >>> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

/**
 * RFC 5952 text: lower case, no leading zeros, and the longest run of two
 * or more zero groups (the first of equals) shortened to `::`.
 */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  }

  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }

  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const before = hex.slice(0, bestStart).join(':');
  const after = hex.slice(bestStart + bestLength).join(':');
  return `${before}::${after}`;
}

export function parseMac(text: string): Uint8Array {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-f]{2}$/i.test(p))) {
    throw new Error(`not a MAC address: ${text}`);
  }
  return Uint8Array.from(parts, (part) => parseInt(part, 16));
}
