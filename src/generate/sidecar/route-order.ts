/**
 * FSM's ordering rules (fsm-compat.md §2.4 "reorder"), made total so the
 * output never depends on input order:
 * - route rules: equal paths with more headers, then more methods first;
 *   `.*` last; otherwise by path, then by a canonical tie-break;
 * - outbound matches on one port: matches with more specific CIDRs first,
 *   matches without ranges first of all (FSM's Less), tie-broken canonically;
 * - a host claimed by two rule sets goes to the shorter rule name, then the
 *   lexicographically smaller one (FSM's addHTTPHostPort2Service).
 */
import type { HTTPRouteRule, HTTPRouteRuleRef, OutboundTrafficMatch } from './types.js';

export function setHostRule(map: Record<string, HTTPRouteRuleRef>, host: string, ruleName: string): void {
  const prev = map[host];
  if (!prev || ruleName.length < prev.RuleName.length || (ruleName.length === prev.RuleName.length && ruleName < prev.RuleName)) {
    map[host] = { RuleName: ruleName };
  }
}

function tieBreak(r: HTTPRouteRule): string {
  return JSON.stringify([r.Type, r.Headers ? Object.entries(r.Headers).sort() : [], r.Methods ?? []]);
}

export function compareRouteRules(a: HTTPRouteRule, b: HTTPRouteRule): number {
  if (a.Path === b.Path) {
    const h = Object.keys(b.Headers ?? {}).length - Object.keys(a.Headers ?? {}).length;
    if (h !== 0) return h;
    const m = (b.Methods?.length ?? 0) - (a.Methods?.length ?? 0);
    if (m !== 0) return m;
    const ta = tieBreak(a);
    const tb = tieBreak(b);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }
  if (a.Path === '.*') return 1;
  if (b.Path === '.*') return -1;
  return a.Path < b.Path ? -1 : 1;
}

function prefixLen(cidr: string): number {
  const n = Number(cidr.split('/')[1]);
  return Number.isFinite(n) ? n : 0;
}

function rangesDesc(m: OutboundTrafficMatch): number[] {
  return Object.keys(m.DestinationIPRanges ?? {}).map(prefixLen).sort((x, y) => y - x);
}

function matchKey(m: OutboundTrafficMatch): string {
  return JSON.stringify([
    Object.keys(m.DestinationIPRanges ?? {}).sort(),
    m.Protocol,
    Object.keys(m.HttpServiceRouteRules ?? {}).sort(),
    Object.keys(m.TcpServiceRouteRules?.TargetClusters ?? {}).sort(),
  ]);
}

export function compareOutboundMatches(a: OutboundTrafficMatch, b: OutboundTrafficMatch): number {
  const ra = rangesDesc(a);
  const rb = rangesDesc(b);
  if (ra.length === 0 && rb.length > 0) return -1;
  if (rb.length === 0 && ra.length > 0) return 1;
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const d = (rb[i] ?? 0) - (ra[i] ?? 0);
    if (d !== 0) return d;
  }
  if (ra.length !== rb.length) return rb.length - ra.length;
  const ka = matchKey(a);
  const kb = matchKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
