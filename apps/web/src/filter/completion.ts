import { FIELDS, suggestFields } from '@capscope/analytics/filter/compile';

/** More than this many choices is a list nobody reads; typing narrows it. */
const MAX_OPTIONS = 8;

export interface FieldOption {
  name: string;
  help: string;
}

/** Field names that complete the word at the caret, and where it lies. */
export interface Completion {
  from: number;
  to: number;
  options: FieldOption[];
}

/** Characters of a field name (values may have more: ':', '/', '-'). */
const FIELD_CHAR = /[A-Za-z0-9_.]/;

/**
 * Completions for the word being typed at `caret`, when it stands where a
 * field name goes: at the start, after "(", "!", "&&", "||", "and", "or"
 * or "not". Values and operators get none.
 */
export function completeField(text: string, caret: number): Completion | null {
  let from = caret;
  while (from > 0 && FIELD_CHAR.test(text[from - 1])) from--;
  let to = caret;
  while (to < text.length && FIELD_CHAR.test(text[to])) to++;

  const prefix = text.slice(from, caret);
  if (prefix === '' || /^\d/.test(prefix)) return null;
  const before = text.slice(0, from).trimEnd();
  const fieldGoesHere =
    before === '' ||
    /(?:[(!]|&&|\|\|)$/.test(before) ||
    /(?:^|[\s()])(?:and|or|not)$/i.test(before);
  if (!fieldGoesHere) return null;

  const names = suggestFields(prefix);
  const word = text.slice(from, to).toLowerCase();
  if (names.length === 0 || (names.length === 1 && names[0] === word)) {
    return null;
  }
  const options = names
    .slice(0, MAX_OPTIONS)
    .map((name) => ({ name, help: FIELDS[name].help }));
  return { from, to, options };
}

/** The text with the completed word in place, and the caret after it. */
export function acceptCompletion(
  text: string,
  completion: Completion,
  name: string,
): { text: string; caret: number } {
  return {
    text: text.slice(0, completion.from) + name + text.slice(completion.to),
    caret: completion.from + name.length,
  };
}
