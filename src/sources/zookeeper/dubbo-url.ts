/**
 * A Dubbo provider node: its name is the URL-encoded provider URL,
 * `dubbo://10.0.0.1:20880/com.example.Greeter?anyhost=true&interface=…&methods=…`.
 */
import type { CatalogInstance } from '../catalog/instance.js';

const PROTOCOLS: Record<string, string> = { grpc: 'grpc', tri: 'grpc', http: 'http', https: 'http', rest: 'http' };

/** The instance a provider node describes; undefined when it is not a URL or is disabled. */
export function providerInstance(service: string, nodeName: string): CatalogInstance | undefined {
  let url: URL;
  try {
    url = new URL(decodeURIComponent(nodeName));
  } catch {
    return undefined;
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of url.searchParams) metadata[k] = v;
  if (metadata.enabled === 'false' || metadata.disabled === 'true') return undefined;
  const scheme = url.protocol.replace(/:$/, '');
  return {
    service,
    address: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || 0,
    protocol: PROTOCOLS[scheme] ?? 'tcp',
    metadata,
  };
}
