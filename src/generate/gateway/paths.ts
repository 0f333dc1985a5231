/**
 * A PathPrefix or ReplacePrefixMatch value without its trailing `/`, which the
 * Gateway API ignores ("/abc/" matches "/abc"; "/abc/" replaced by "/xyz"
 * gives "/xyz/def" for "/abc/def"). FSM 1.3's http/route.js matches the prefix
 * as written ("/abc/" missed "/abc"), and its rewrite and redirect scripts
 * splice by the prefix's length ("/xyzdef", and "/xyz//def" for "/xyz/"). A
 * lone "/" stays, so FSM's scripts still give "//def" for a replacement "/"
 * (the specification: "/def"); as "" it would send a request for "/abc"
 * itself with an empty path.
 */
export function withoutTrailingSlash(value: string): string {
  return value.length > 1 ? value.replace(/\/+$/, '') || '/' : value;
}
