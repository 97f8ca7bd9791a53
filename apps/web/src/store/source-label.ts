/**
 * What a dataset may keep of where a capture came from: a file name, or a
 * URL without its query, fragment or user info. A blob URL's query is its
 * SAS token, which must never reach IndexedDB (DESIGN.md); anything from a
 * `?` is cut from any label, so one that only looks like a URL loses it
 * too.
 */
export function sourceLabel(label: string): string {
  const trimmed = label.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      return `${url.origin}${url.pathname}`;
    } catch {
      // Not a URL after all: cut it as text below.
    }
  }
  const cut = trimmed.indexOf('?');
  return cut < 0 ? trimmed : trimmed.slice(0, cut);
}

/** A short name for a source: a URL's last path segment, decoded. */
export function sourceName(label: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(label)) return label;
  const segment = label.split('/').filter(Boolean).pop() ?? label;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
