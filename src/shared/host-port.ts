/** Parses `host:port` (IPv6 hosts in brackets; an empty host is 0.0.0.0). Throws naming `what` and the offending value. */
export function parseHostPort(value: string, what = 'address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid ${what} "${value}": expected HOST:PORT`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
