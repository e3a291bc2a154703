/**
 * systeminformation, loaded on first use: an agent with PC reports turned off never loads it (a few MiB
 * of code and start-up work on an old PC), and one with them on loads it when the first sample is due.
 */
import type Si from 'systeminformation';

let loading: Promise<typeof Si> | undefined;

export function loadSi(): Promise<typeof Si> {
  loading ??= import('systeminformation').then((m) => m.default);
  return loading;
}

/** Whether loadSi() has been called: nothing to release otherwise. */
export function siLoaded(): boolean {
  return loading !== undefined;
}
