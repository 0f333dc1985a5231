/**
 * config.flomesh.io/v1alpha3 MeshRootCertificate: a root CA and its phase in
 * a root rotation (status.state, FSM's states). The certificate module's
 * rotation controller turns the set of these into signing and validating
 * issuers.
 */
import { s } from '../schema/dsl.js';
import type { KindDefinition } from './definition.js';

const STATES = ['active', 'issuingRollout', 'validatingRollout', 'issuingRollback', 'validatingRollback', 'inactive', 'error'];

export const meshRootCertificate: KindDefinition = {
  kind: 'MeshRootCertificate',
  description: 'A mesh root certificate and its provider; status.state drives root rotation.',
  spec: s.object({
    trustDomain: s.string({ minLength: 1 }),
    provider: s.object({
      tresor: s.object(
        {
          ca: s.object(
            { secretRef: s.object({ name: s.string({ minLength: 1 }), namespace: s.string() }, { required: ['name'] }) },
            { required: ['secretRef'] },
          ),
        },
        { required: ['ca'] },
      ),
      vault: s.any({ description: 'Vault provider settings.' }),
      certManager: s.any({ description: 'cert-manager provider settings.' }),
    }),
  }),
  specRequired: true,
  topLevel: {
    status: s.object({ state: s.enum(STATES, { description: 'The phase of this root in a rotation.' }) }),
  },
};
