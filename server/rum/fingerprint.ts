/**
 * An exception's fingerprint: type + message template + the top in-app frames (function and file path,
 * no line numbers, which move with every release). The same fault on every PC and in every commune is one
 * group; a new release that moves code keeps the group as long as the functions keep their names.
 */
import { createHash } from 'node:crypto';
import { messageTemplate, urlTemplate } from './scrub.js';

export interface Frame {
  filename?: string;
  function?: string;
  lineno?: number;
  colno?: number;
}

export interface GroupKey {
  fingerprint: string;
  type: string;
  message: string;
  frames: Array<{ function: string; file: string }>;
}

/** Frames from browser extensions, injected scripts or the SDK itself are not the app's code. */
function inApp(f: Frame): boolean {
  const file = f.filename ?? '';
  return !/^(chrome|moz|safari)-extension:|\/rum\.js$|faro|^<anonymous>$|^native$/.test(file);
}

export function groupKey(
  e: { type?: string; value?: string; stacktrace?: { frames?: Frame[] } },
  topFrames = 3,
): GroupKey {
  const type = (e.type || 'Error').slice(0, 100);
  const message = messageTemplate(e.value ?? '');
  const frames = (e.stacktrace?.frames ?? [])
    .filter(inApp)
    .slice(0, topFrames)
    .map((f) => ({
      function: (f.function || '?').slice(0, 200),
      file: urlTemplate(f.filename) || (f.filename ?? '').slice(0, 200),
    }));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([type, message, frames]))
    .digest('hex')
    .slice(0, 20);
  return { fingerprint, type, message, frames };
}
