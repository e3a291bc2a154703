/**
 * The routing tree, as in Alertmanager: an incident enters at the root and descends into the first child
 * route whose matchers it satisfies (and into later siblings too when that child says `continue`); the
 * deepest matching routes decide the receivers. Settings are inherited from parent routes.
 */
import { ROUTE_DEFAULTS, type RouteNode } from './alert-config.js';
import { matches, type Labels } from './labels.js';

export interface RouteMatch {
  receiver: string;
  groupWaitSec: number;
  groupIntervalSec: number;
  repeatIntervalSec: number;
  groupBy: string[];
  outsideHours: 'page' | 'digest';
  sendResolved: boolean;
  escalateAfterSec?: number;
  escalateTo?: string;
  /** Position of the route in the tree, e.g. "0.2": part of the group key, so two routes to one receiver stay apart. */
  path: string;
}

type Settings = Omit<RouteMatch, 'receiver' | 'path'> & { receiver?: string };

function inherit(parent: Settings, node: RouteNode): Settings {
  return {
    receiver: node.receiver ?? parent.receiver,
    groupWaitSec: node.groupWaitSec ?? parent.groupWaitSec,
    groupIntervalSec: node.groupIntervalSec ?? parent.groupIntervalSec,
    repeatIntervalSec: node.repeatIntervalSec ?? parent.repeatIntervalSec,
    groupBy: node.groupBy ?? parent.groupBy,
    outsideHours: node.outsideHours ?? parent.outsideHours,
    sendResolved: node.sendResolved ?? parent.sendResolved,
    escalateAfterSec: node.escalateAfterSec ?? parent.escalateAfterSec,
    escalateTo: node.escalateTo ?? parent.escalateTo,
  };
}

/** The receivers an incident with these labels goes to; none without a route tree. */
export function route(root: RouteNode | undefined, labels: Labels): RouteMatch[] {
  if (!root) return [];
  const out: RouteMatch[] = [];
  const walk = (node: RouteNode, parent: Settings, path: string): void => {
    const here = inherit(parent, node);
    let matchedChild = false;
    for (const [i, child] of (node.routes ?? []).entries()) {
      if (!matches(labels, child.match)) continue;
      matchedChild = true;
      walk(child, here, `${path}.${i}`);
      if (!child.continue) break;
    }
    if (!matchedChild && here.receiver) out.push({ ...here, receiver: here.receiver, path });
  };
  walk(root, { ...ROUTE_DEFAULTS }, '0');
  return out;
}

/** Receiver names the tree refers to, for checking them against `receivers` at load. */
export function referencedReceivers(root: RouteNode | undefined): Array<{ name: string; at: string }> {
  const out: Array<{ name: string; at: string }> = [];
  const walk = (node: RouteNode, at: string) => {
    if (node.receiver) out.push({ name: node.receiver, at: `${at}.receiver` });
    if (node.escalateTo) out.push({ name: node.escalateTo, at: `${at}.escalateTo` });
    node.routes?.forEach((child, i) => walk(child, `${at}.routes[${i}]`));
  };
  if (root) walk(root, 'alerts.route');
  return out;
}
