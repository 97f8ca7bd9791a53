// The SAS token is a password: it must not reach logs, error reports,
// IndexedDB or the address bar. What may be kept is the URL without it.

/** The URL without its query and fragment; the text itself if no URL. */
export function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/**
 * Text with every URL query and every `sig=` value removed, for messages
 * built from text we do not control (an exception's message).
 */
export function redactSas(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1')
    .replace(/\bsig(=|%3D)[^&\s"'<>]*/gi, '[signature removed]');
}
