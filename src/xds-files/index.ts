/** xDS resources from a directory of JSON/YAML files, with last-good semantics and live reload. */
export { createXdsDirectorySource, type XdsDirectorySource, type XdsDirectorySourceOptions } from './directory-source.js';
export { createXdsFileSet, type IssueKind, type KindedIssue, type XdsFileSet } from './file-set.js';
export { formatIssue, isResourceFile, parseResourceFile, type FileIssue, type ParsedFile } from './parse-file.js';
