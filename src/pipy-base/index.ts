export { defaultBaseDir, defaultGatewayBaseDir, loadBaseCodebase, type BaseCodebase, type LoadBaseCodebaseOptions } from './load-base-codebase.js';
