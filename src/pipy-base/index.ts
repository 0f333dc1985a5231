export { defaultBaseDir, loadBaseCodebase, type BaseCodebase, type LoadBaseCodebaseOptions } from './load-base-codebase.js';
