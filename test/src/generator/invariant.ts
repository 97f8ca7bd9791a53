/**
 * Checks a condition that only a mistake in the generator's own code can
 * break, and narrows the type for the code after it. Bad options from a
 * caller are RangeErrors instead, with a message meant for that caller.
 */
export function invariant(
  condition: unknown,
  message: string,
): asserts condition {
  if (!condition) throw new Error(`generator invariant: ${message}`);
}

/** Ends a switch over a union: a member without a case fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`generator invariant: unexpected ${JSON.stringify(value)}`);
}
