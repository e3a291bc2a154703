/**
 * Secrets on disk (the agent token, login credentials) must be readable by their owner only, like ssh keys.
 * Windows has no such mode bits (access is set with icacls), so the check applies elsewhere only.
 */

/** The permission bits (e.g. 0o644) when group or others may access the file; undefined when private. */
export function openToOthers(mode: number, platform: NodeJS.Platform = process.platform): number | undefined {
  return platform !== 'win32' && (mode & 0o077) !== 0 ? mode & 0o777 : undefined;
}
