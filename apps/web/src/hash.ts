/**
 * The address bar's fragment: `#ds=<dataset id>&f=<filter expression>` for
 * the view (DESIGN.md), and `#url=` / `?url=` to open a capture by link.
 *
 * A `url=` parameter runs to the end of the fragment or query: a pasted
 * SAS URL whose own `&` were not encoded still reads whole.
 */
export interface HashState {
  ds?: string;
  f?: string;
  url?: string;
}

export function readHash(location: Location = window.location): HashState {
  const state: HashState = {};
  const fragment = location.hash.replace(/^#/, '');
  readParams(fragment, state);
  if (state.url === undefined) {
    const query = location.search.replace(/^\?/, '');
    const url = takeUrl(query);
    if (url !== undefined) state.url = url;
  }
  return state;
}

function readParams(text: string, state: HashState): void {
  const url = takeUrl(text);
  const rest = url === undefined ? text : text.slice(0, text.indexOf('url='));
  if (url !== undefined) state.url = url;
  for (const part of rest.split('&')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const key = part.slice(0, equals);
    const value = safeDecode(part.slice(equals + 1));
    if (key === 'ds') state.ds = value;
    else if (key === 'f') state.f = value;
  }
}

/** Everything after the first `url=` at a parameter start, decoded. */
function takeUrl(text: string): string | undefined {
  const match = /(?:^|&)url=/.exec(text);
  if (!match) return undefined;
  return safeDecode(text.slice(match.index + match[0].length));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Writes the view into the fragment. `push` makes a history entry (a new
 * filter: back undoes it); otherwise the current entry is replaced. Any
 * `url=` (with its SAS token) is dropped, in the hash and the query alike.
 */
export function writeHash(state: HashState, push = false): void {
  const parts: string[] = [];
  if (state.ds) parts.push(`ds=${encodeURIComponent(state.ds)}`);
  if (state.f) parts.push(`f=${encodeURIComponent(state.f)}`);
  const hash = parts.length > 0 ? `#${parts.join('&')}` : '';
  const search = window.location.search.replace(/(^\?|&)url=.*$/, '');
  const next = `${window.location.pathname}${search === '?' ? '' : search}${hash}`;
  const current = `${window.location.pathname}${window.location.search}${window.location.hash}`;
  if (next === current) return;
  if (push) window.history.pushState(null, '', next);
  else window.history.replaceState(null, '', next);
}
