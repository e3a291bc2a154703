/**
 * Bounded waits on other processes. `waitUntil` polls until a condition holds and throws after its timeout
 * with the last value seen; `waitQuiet` waits until a count stops changing (messages after a heal), and
 * returns rather than throws when the bound is reached, since "still changing" is itself an outcome.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, everyMs = 250 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: T | undefined;
    let error: unknown;
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (err) {
      error = err;
    }
    if (Date.now() > deadline) {
      const seen = error ? `error: ${(error as Error).message}` : `last value: ${JSON.stringify(last)?.slice(0, 500)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Like waitUntil, but returns false instead of throwing when the bound is reached. */
export async function waitUntilOrFalse<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<boolean> {
  try {
    await waitUntil('', probe, done, opts);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `count()` has not changed for `quietMs` (at most `maxMs`); true when it went quiet. */
export async function waitQuiet(
  count: () => number | Promise<number>,
  quietMs: number,
  maxMs: number,
): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  let last = await count();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return true;
  }
  return false;
}
