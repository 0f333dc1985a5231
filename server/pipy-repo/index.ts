export { createPipyRepoServer } from './server.js';
export { createCodebase, renderManifest, type Codebase, type CodebaseInit } from '../../cache/codebase.js';
export { createCommonNameAuthorizer, type CommonNameAuthorizerOptions } from './authorize.js';
export type {
  FetchedEvent,
  CodebaseProvider,
  InstanceRecord,
  PipyRepoServer,
  PipyRepoServerOptions,
  PipyRepoServerStats,
  PipyRepoTlsOptions,
  RepoAuthorizer,
  StatusReport,
} from './types.js';
