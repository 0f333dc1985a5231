/**
 * Traffic-interception exclusions of one pod: its annotations merged with
 * MeshConfig's global lists, as FSM's injector merges them
 * (`pkg/injector/exclusions.go`): ports global first then the pod's, IP
 * ranges the pod's first then global, duplicates dropped.
 */
import { isIP } from 'node:net';
import { Annotations } from './annotations.js';

export interface Exclusions {
  readonly outboundPorts: readonly number[];
  readonly inboundPorts: readonly number[];
  readonly outboundIPRangeExclusions: readonly string[];
  readonly outboundIPRangeInclusions: readonly string[];
  readonly networkInterfaces: readonly string[];
}

export interface GlobalExclusions {
  readonly outboundPortExclusionList: readonly number[];
  readonly inboundPortExclusionList: readonly number[];
  readonly outboundIPRangeExclusionList: readonly string[];
  readonly outboundIPRangeInclusionList: readonly string[];
  readonly networkInterfaceExclusionList: readonly string[];
}

/** The ports of a pod annotation (`6060, 7070`); throws naming the annotation for a bad entry. */
export function portsFromAnnotation(annotations: Readonly<Record<string, string>> | undefined, key: string): number[] {
  const raw = annotations?.[key];
  if (raw === undefined) return [];
  return raw.split(',').map((part) => {
    const text = part.trim();
    const port = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(port > 0 && port <= 65535)) throw new Error(`Invalid port value '${text}' specified for annotation '${key}'`);
    return port;
  });
}

/** The CIDRs of a pod annotation (`10.0.0.0/8, 2.2.2.2/32`); throws naming the annotation for a bad entry. */
export function cidrsFromAnnotation(annotations: Readonly<Record<string, string>> | undefined, key: string): string[] {
  const raw = annotations?.[key];
  if (raw === undefined) return [];
  return raw.split(',').map((part) => {
    const text = part.trim();
    if (!isCidr(text)) throw new Error(`Invalid IP range '${text}' specified for annotation '${key}'`);
    return text;
  });
}

export function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const family = isIP(m[1] as string);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

const merged = <T>(first: readonly T[], second: readonly T[]): T[] => [...new Set([...first, ...second])];

/** Throws (naming the annotation) when an annotation is malformed. */
export function exclusionsFor(annotations: Readonly<Record<string, string>> | undefined, global: GlobalExclusions): Exclusions {
  return {
    outboundPorts: merged(global.outboundPortExclusionList, portsFromAnnotation(annotations, Annotations.OutboundPortExclusionList)),
    inboundPorts: merged(global.inboundPortExclusionList, portsFromAnnotation(annotations, Annotations.InboundPortExclusionList)),
    outboundIPRangeExclusions: merged(cidrsFromAnnotation(annotations, Annotations.OutboundIPRangeExclusionList), global.outboundIPRangeExclusionList),
    outboundIPRangeInclusions: merged(cidrsFromAnnotation(annotations, Annotations.OutboundIPRangeInclusionList), global.outboundIPRangeInclusionList),
    networkInterfaces: [...global.networkInterfaceExclusionList],
  };
}
