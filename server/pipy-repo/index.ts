export { createPipyRepoServer } from './server.js';
export { createCodebase, renderManifest, type CodebaseInit } from './codebase.js';
export { createCommonNameAuthorizer, type CommonNameAuthorizerOptions } from './authorize.js';
export type {
  Codebase,
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
