/** A real SMTP server (smtp-server) on port 0 that parses what it receives (mailparser) and can refuse on demand. */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface TestSmtp {
  port: number;
  mails: ParsedMail[];
  /** Recipients of each accepted message, from the envelope. */
  envelopes: string[][];
  /** When each accepted message arrived (epoch ms). */
  times: number[];
  /** The next N messages are refused with a 451 (a temporary failure). */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

/** With `tls`, the server offers STARTTLS with that certificate and requires a login (user/pass below). */
export async function startSmtp(
  opts: { tls?: { cert: string; key: string }; user?: string; pass?: string } = {},
): Promise<TestSmtp> {
  let refuse = 0;
  const mails: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const times: number[] = [];
  const server = new SMTPServer({
    ...(opts.tls
      ? {
          key: opts.tls.key,
          cert: opts.tls.cert,
          authOptional: false,
          onAuth: (auth, _session, callback) =>
            auth.username === opts.user && auth.password === opts.pass
              ? callback(null, { user: auth.username })
              : callback(new Error('Invalid username or password')),
        }
      : { authOptional: true, disabledCommands: ['STARTTLS'] }),
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse--;
          callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            mails.push(mail);
            times.push(Date.now());
            envelopes.push(session.envelope.rcptTo.map((r) => r.address));
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    envelopes,
    times,
    refuseNext: (n) => {
      refuse = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
