/**
 * The current sidecar config of every proxy, kept up to date incrementally:
 * the sidecar generator running in the generic output set (see
 * ../output-set.ts). For callers that want configs without the controller:
 * the CLI, tools and tests.
 */
import { DEFAULT_TRUST_DOMAIN } from '../../certificate/identity.js';
import type { ModelView } from '../../model/view.js';
import { createOutputSet, type OutputSet } from '../output-set.js';
import { createSidecarGenerator, type SidecarGeneratorOptions, type SidecarNode } from './generator.js';

export interface SidecarConfigSetOptions extends Partial<SidecarGeneratorOptions> {
  readonly view: ModelView;
}

export type SidecarConfigSet = OutputSet<SidecarNode>;

export function createSidecarConfigSet(options: SidecarConfigSetOptions): SidecarConfigSet {
  const { view, ...rest } = options;
  return createOutputSet(createSidecarGenerator({ ...rest, trustDomain: rest.trustDomain ?? DEFAULT_TRUST_DOMAIN }), view);
}
