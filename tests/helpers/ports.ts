import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';

/**
 * A loopback port nothing listens on right now: bind one, note it, close it. Used both for "a closed port"
 * targets and for services a test starts later on a known port.
 */
export async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
