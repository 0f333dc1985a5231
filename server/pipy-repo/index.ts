export { createPipyRepoServer } from './server.js';
export { createCodebase, renderManifest, type CodebaseInit } from './codebase.js';
export { createCommonNameAuthorizer, type CommonNameAuthorizerOptions } from './authorize.js';
export type {
  Codebase,
  CodebaseProvider,
  InstanceRecord,
  PipyRepoServer,
  PipyRepoServerOptions,
  PipyRepoServerStats,
  PipyRepoTlsOptions,
  RepoAuthorizer,
  StatusReport,
} from './types.js';
