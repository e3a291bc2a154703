/**
 * The bundle report's heading block (vendor, services, period, when, server version, signing key id): one
 * list for report.html (bundle-html.ts) and report.pdf (pdf-report.ts), so the two documents name the same
 * things in the same order.
 */
import type { BundleData } from './bundle-data.js';
import { serviceLabel, type BundleKey } from './bundle-text.js';

/** What the report says about who made it: the server's version and the id of the key that signs it. */
export interface BundleOrigin {
  serverVersion: string;
  keyId: string;
}

/** The heading block as [catalogue key of the label, value] pairs, in the order both reports show them. */
export function bundleMeta(d: BundleData, o: BundleOrigin): Array<[BundleKey, string]> {
  return [
    ['vendor', `${d.vendor.name} (${d.vendor.id})`],
    ['services', d.vendor.services.map(serviceLabel).join('; ')],
    ['period', `${d.period.from} → ${d.period.to}`],
    ['generated', d.generatedAt],
    ['server_version', o.serverVersion],
    ['key_id', o.keyId],
  ];
}
