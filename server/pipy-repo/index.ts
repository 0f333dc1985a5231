export { createPipyRepoServer } from './server.js';
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
