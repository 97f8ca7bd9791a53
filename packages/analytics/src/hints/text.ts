/**
 * ASCII in payloads: matching it without allocating, and turning bytes a
 * peer chose into display text.
 *
 * Names and banners end up in tables, CSV cells and filter chips, so
 * whatever the bytes are, the text is one line of printable ASCII: every
 * other byte, and the backslash itself, is written as a backslash and
 * three decimal digits (`\DDD`, as DNS zone files do). Because the
 * backslash is always escaped, `\065` in the text can only stand for one
 * escaped byte, never for four bytes the peer sent.
 */

const BACKSLASH = 0x5c;
const SPACE = 0x20;
const TILDE = 0x7e;

/** The bytes of an ASCII string, built once at load for matching. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** The bytes at `at` are `text`, and all of them lie before `end`. */
export function startsWith(
  b: Uint8Array,
  at: number,
  end: number,
  text: Uint8Array,
): boolean {
  if (end - at < text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (b[at + i] !== text[i]) return false;
  }
  return true;
}

/** Appends `byte` to `text` as `\DDD`. */
export function appendEscaped(text: string, byte: number): string {
  const digits = byte < 10 ? '00' : byte < 100 ? '0' : '';
  return text + '\\' + digits + byte;
}

/**
 * A host name: ASCII letters folded to lower case (names compare without
 * case); space and everything outside printable ASCII escaped.
 */
export function hostText(b: Uint8Array, at: number, end: number): string {
  let text = '';
  for (let i = at; i < end; i++) text = appendHostByte(text, b[i]);
  return text;
}

/** Appends one byte of a host name, as hostText writes it. */
export function appendHostByte(text: string, byte: number): string {
  if (byte <= SPACE || byte > TILDE || byte === BACKSLASH) {
    return appendEscaped(text, byte);
  }
  if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
  return text + String.fromCharCode(byte);
}

/**
 * Free text such as a software banner: case and spaces kept, anything
 * outside printable ASCII escaped.
 */
export function plainText(b: Uint8Array, at: number, end: number): string {
  let text = '';
  for (let i = at; i < end; i++) {
    const byte = b[i];
    if (byte < SPACE || byte > TILDE || byte === BACKSLASH) {
      text = appendEscaped(text, byte);
    } else {
      text += String.fromCharCode(byte);
    }
  }
  return text;
}
