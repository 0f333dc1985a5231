import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

/**
 * Code shown in the documentation is the code that runs: a fenced block
 * right after `<!-- example: PATH -->` in README.md or docs/*.md must equal
 * the file at PATH (which the interop suite runs), character for character.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MARKED = /<!-- example: (\S+) -->\n```[a-z]*\n([\s\S]*?)```/g;

const documents = ['README.md', ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const snippets: { document: string; path: string; code: string }[] = [];
for (const document of documents) {
  const text = await readFile(join(ROOT, document), 'utf8');
  for (const m of text.matchAll(MARKED)) snippets.push({ document, path: m[1] as string, code: m[2] as string });
}

t.ok(snippets.some((s) => s.path === 'examples/grpc-weighted-route/controller.ts'), 'the library example is shown in the documentation');
for (const { document, path, code } of snippets) {
  t.test(`${document} shows ${path} as it is`, async (t) => {
    t.equal(code, await readFile(join(ROOT, path), 'utf8'));
  });
}
