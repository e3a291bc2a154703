/** Logs in to a running server's web UI with a form post, as a browser would; returns the Cookie header. */
export async function webLogin(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, next: '/' }),
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`login as ${username} failed: HTTP ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cw_session='));
  if (!cookie) throw new Error('login answered without a session cookie');
  return cookie.split(';')[0]!;
}
