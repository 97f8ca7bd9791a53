/**
 * Addresses live in flow columns as four 32-bit words, most significant
 * first; an IPv4 address uses the first word only.
 */

export function formatIpv4(word: number): string {
  return (
    `${word >>> 24}.${(word >>> 16) & 0xff}.` +
    `${(word >>> 8) & 0xff}.${word & 0xff}`
  );
}

/** Scratch groups for formatIpv6, which runs once per flow end printed. */
const groups = new Uint16Array(8);

/** RFC 5952 text: lower case, the longest run of zero groups as "::". */
export function formatIpv6(words: ArrayLike<number>, at: number): string {
  for (let i = 0; i < 4; i++) {
    const word = words[at + i] >>> 0;
    groups[2 * i] = word >>> 16;
    groups[2 * i + 1] = word & 0xffff;
  }
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 &&
    groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return '::ffff:' + formatIpv4(((groups[6] << 16) | groups[7]) >>> 0);
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += groups[i].toString(16);
  }
  return text;
}

export function formatAddress(
  version: number,
  words: ArrayLike<number>,
  at: number,
): string {
  return version === 4 ? formatIpv4(words[at] >>> 0) : formatIpv6(words, at);
}
