/**
 * The provincial data centre of the fault lab, run inside its namespace by the lab test
 * (`ip netns exec cwlab-<run>-dc node --import tsx tests/lab/dc-services.ts`): the simulated vendor app on :80,
 * an HTTPS site with an untrusted certificate on :443, and DNS for *.lab.test on :53.
 * Control: JSON lines on stdin `{"path": "/motcua/dang-nhap", "fault": "error503"}`, answered "ok".
 * Prints "ready" once everything listens.
 */
import { createServer } from 'node:https';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { VendorApp, type Fault } from '../../demo/vendor-app.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';

const HOST = process.argv[2] ?? '10.77.3.2';

const vendor = new VendorApp({ host: HOST, port: 80, slowMs: 1100 });
await vendor.listen();
const cert = makeSelfSignedCert();
const https = createServer({ cert: cert.cert, key: cert.key }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<h1>Hộ tịch</h1>');
});
https.listen(443, HOST);
await once(https, 'listening');
const dns = await startDnsServer(
  { 'motcua.lab.test': { A: [HOST] }, 'hotich.lab.test': { A: [HOST] } },
  { host: HOST, port: 53 },
);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { path, fault } = JSON.parse(line) as { path: string; fault: Fault };
  vendor.setFault(path, fault);
  process.stdout.write('ok\n');
});
lines.on('close', () => {
  // The test ended (stdin closed): shut down so nothing outlives the lab.
  void Promise.all([vendor.close(), dns.close(), new Promise((r) => https.close(r))]).then(() => {
    cert.remove();
    process.exit(0);
  });
});
process.stdout.write('ready\n');
