/**
 * A tiny authoritative DNS responder over UDP on 127.0.0.1, for DNS probe tests. It answers from a fixed zone,
 * returns NXDOMAIN for unknown names and stays silent for names marked 'silent' (to provoke timeouts).
 * Only what the probe asks for is implemented: one question, A/AAAA/CNAME/NS/MX/TXT answers, no compression
 * beyond pointing answers at the question name.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';

export interface ZoneEntry {
  A?: string[];
  AAAA?: string[];
  CNAME?: string[];
  NS?: string[];
  MX?: { priority: number; exchange: string }[];
  /** Each record is a list of character-strings (≤ 255 bytes each). */
  TXT?: string[][];
}

/** Lower-case names without the trailing dot → records, or 'silent' to never answer. */
export type Zone = Record<string, ZoneEntry | 'silent'>;

export interface TestDnsServer {
  /** "127.0.0.1:port", as the probe's `server` field takes it. */
  server: string;
  /** Questions received so far, e.g. "ok.test A". */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, keyof ZoneEntry> = { 1: 'A', 2: 'NS', 5: 'CNAME', 15: 'MX', 16: 'TXT', 28: 'AAAA' };
const RCODE_NXDOMAIN = 3;

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function encodeIPv6(ip: string): Buffer {
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function rdata(type: keyof ZoneEntry, entry: ZoneEntry): Buffer[] {
  switch (type) {
    case 'A':
      return (entry.A ?? []).map((ip) => Buffer.from(ip.split('.').map(Number)));
    case 'AAAA':
      return (entry.AAAA ?? []).map(encodeIPv6);
    case 'CNAME':
    case 'NS':
      return (entry[type] ?? []).map(encodeName);
    case 'MX':
      return (entry.MX ?? []).map((mx) => {
        const pref = Buffer.alloc(2);
        pref.writeUInt16BE(mx.priority);
        return Buffer.concat([pref, encodeName(mx.exchange)]);
      });
    case 'TXT':
      return (entry.TXT ?? []).map((parts) =>
        Buffer.concat(parts.map((p) => Buffer.concat([Buffer.from([Buffer.byteLength(p)]), Buffer.from(p)]))),
      );
  }
}

/** Parses the single question; returns its name, type and where the question section ends. */
function parseQuestion(msg: Buffer): { name: string; qtype: number; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), qtype: msg.readUInt16BE(i + 1), end: i + 5 };
}

function answer(query: Buffer, zone: Zone): { reply?: Buffer; asked: string } {
  const { name, qtype, end } = parseQuestion(query);
  const entry = zone[name];
  const type = TYPES[qtype];
  const asked = `${name} ${type ?? qtype}`;
  if (entry === 'silent') return { asked };
  const records = entry && type ? rdata(type, entry) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  // QR, AA, RA set; RD echoed from the query; rcode NXDOMAIN for unknown names.
  header.writeUInt16BE(0x8000 | 0x0400 | 0x0080 | (query.readUInt16BE(2) & 0x0100) | (entry ? 0 : RCODE_NXDOMAIN), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((data) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(qtype, 2);
    rr.writeUInt16BE(1, 4); // class IN
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  // The question is copied verbatim so resolvers that compare it byte for byte accept the reply.
  return { reply: Buffer.concat([header, query.subarray(12, end), ...answers]), asked };
}

/** Starts the responder on 127.0.0.1, port 0, unless told where (the fault lab uses a namespace address, port 53). */
export async function startDnsServer(zone: Zone, at: { host?: string; port?: number } = {}): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    const { reply, asked } = answer(msg, zone);
    queries.push(asked);
    if (reply) socket.send(reply, from.port, from.address);
  });
  const host = at.host ?? '127.0.0.1';
  socket.bind(at.port ?? 0, host);
  await once(socket, 'listening');
  return {
    server: `${host}:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
