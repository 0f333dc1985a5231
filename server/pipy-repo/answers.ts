import { renderManifest, type Codebase } from '../../cache/codebase.js';
import { headEnd, headStart, responseHead } from './http1-response.js';

/** The bytes of one 200 answer of a codebase version: the manifest or a file. */
export interface Answer {
  readonly head: Buffer;
  /** For a file: its headers after the version's status line and etag (see `Http1Response.headTail`). */
  readonly headTail?: Buffer;
  readonly body: Uint8Array;
  /** The manifest's last file: its GET completes a download. */
  readonly last: boolean;
}

export interface Answers {
  /**
   * The answer to `rest` (the path after the codebase name: "" for the
   * manifest, `/<file>`) of this codebase version; undefined when it is not
   * one of its files.
   */
  of(codebase: Codebase, rest: string): Answer | undefined;
}

/** What one codebase version keeps, built on its first request and dropped with the version. */
interface VersionAnswers {
  readonly manifest: Answer;
  /** `HTTP/1.1 200 OK`, `etag`: how every file answer of this version starts. */
  readonly fileStart: Buffer;
  readonly lastPath: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.yaml': 'text/yaml',
  '.gz': 'application/gzip',
};

/**
 * Pre-built answers of codebase versions. A file's answer is three pieces
 * written in one writev: the version's status line and etag, the file's
 * own headers, the file's bytes. The last two depend on the file alone, so
 * a base file shared by every proxy's codebase has one set of headers for
 * all of them, and a codebase version costs its manifest and one short
 * line however many files it has (a head per file per proxy was 15 KiB per
 * proxy with FSM's 39-file base). The manifest's bytes are shared too by
 * consecutive versions listing the same paths, as every sidecar's does.
 */
export function createAnswers(): Answers {
  const versions = new WeakMap<Codebase, VersionAnswers>();
  /** The headers after the etag, per file bytes (with the content type they were built for). */
  const fileHeads = new WeakMap<Uint8Array, { readonly type: string; readonly tail: Buffer }>();
  let lastManifest = { text: '', body: Buffer.alloc(0) };

  const versionOf = (codebase: Codebase): VersionAnswers => {
    let v = versions.get(codebase);
    if (!v) {
      const text = renderManifest(codebase);
      if (text !== lastManifest.text) lastManifest = { text, body: Buffer.from(text) };
      const body = lastManifest.body;
      const lastNewline = text.lastIndexOf('\n', text.length - 2);
      const manifest = { head: responseHead(200, { etag: codebase.version, 'content-type': 'text/plain' }, body.length), body, last: false };
      v = { manifest, fileStart: headStart(200, { etag: codebase.version }), lastPath: text.slice(lastNewline + 1, -1) };
      versions.set(codebase, v);
    }
    return v;
  };

  const tailOf = (bytes: Uint8Array, path: string): Buffer => {
    const type = contentType(path);
    const known = fileHeads.get(bytes);
    if (known?.type === type) return known.tail;
    const tail = headEnd({ 'content-type': type }, bytes.length);
    // The same bytes under another file type (rare) keep the first type's entry.
    if (!known) fileHeads.set(bytes, { type, tail });
    return tail;
  };

  return {
    of(codebase, rest) {
      const v = versionOf(codebase);
      if (rest === '') return v.manifest;
      const body = codebase.files.get(rest);
      if (!body) return undefined;
      return { head: v.fileStart, headTail: tailOf(body, rest), body, last: rest === v.lastPath };
    },
  };
}

function contentType(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && CONTENT_TYPES[path.slice(dot)]) || 'application/octet-stream';
}
