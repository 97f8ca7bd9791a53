/**
 * Text that came from outside (a file's name, a name in a capture) made
 * safe to show as one visible line. React already renders it as text, never
 * as markup; this guards against what text itself can do: control
 * characters, and the bidirectional controls that can make
 * `cap\u202Egnp.exe` read as `capexe.pcap`. Each is shown as a visible
 * `\u{…}` escape instead, and very long text is cut with an ellipsis.
 *
 * Names decoded from packets need none of this (the analyser already gives
 * them as printable ASCII of at most 259 characters); file names do.
 */

/** Enough for any real file name; past it the name only pushes layout. */
export const MAX_DISPLAY_CHARS = 160;

// C0 and C1 controls, DEL, the Arabic letter mark, zero-width characters
// and directional marks, embeddings, overrides and isolates, word joiner
// and invisible operators, and the byte-order mark.
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

export function displayText(
  text: string,
  maxChars: number = MAX_DISPLAY_CHARS,
): string {
  const visible = text.replace(
    INVISIBLE,
    (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`,
  );
  // By code points, so that a cut never splits a surrogate pair.
  const points = Array.from(visible);
  return points.length > maxChars
    ? `${points.slice(0, maxChars - 1).join('')}…`
    : visible;
}
