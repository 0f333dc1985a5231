/** A MeshRootCertificate manifest in the fsm-system namespace (tresor provider) with the given CA Secret and state. */
export function meshRootCertificateYaml(name: string, secret: string, state: string): string {
  return [
    'apiVersion: config.flomesh.io/v1alpha3', 'kind: MeshRootCertificate', 'metadata:', `  name: ${name}`, '  namespace: fsm-system',
    'spec:', '  trustDomain: cluster.local', '  provider:', '    tresor:', '      ca:', '        secretRef:', `          name: ${secret}`,
    'status:', `  state: ${state}`, '',
  ].join('\n');
}

/** The PEM certificates of a bundle, in order. */
export function pemsOf(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}
