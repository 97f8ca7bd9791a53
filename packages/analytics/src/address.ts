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

/** RFC 5952 text: lower case, the longest run of zero groups as "::". */
export function formatIpv6(words: ArrayLike<number>, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) {
    const word = words[at + i] >>> 0;
    groups.push(word >>> 16, word & 0xffff);
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
  const hex = groups.map((g) => g.toString(16));
  if (isIpv4Mapped(groups)) {
    const v4 = formatIpv4(((groups[6] << 16) | groups[7]) >>> 0);
    return `::ffff:${v4}`;
  }
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

function isIpv4Mapped(groups: number[]): boolean {
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return false;
  return groups[5] === 0xffff;
}

export function formatAddress(
  version: number,
  words: ArrayLike<number>,
  at: number,
): string {
  return version === 4 ? formatIpv4(words[at] >>> 0) : formatIpv6(words, at);
}
