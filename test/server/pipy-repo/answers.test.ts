import t from 'tap';
import { createCodebase } from '../../../cache/codebase.js';
import { createAnswers, type Answer } from '../../../server/pipy-repo/answers.js';
import { responseHead, withClose } from '../../../server/pipy-repo/http1-response.js';

const base = new Map<string, Uint8Array>([
  ['/main.js', Buffer.from('main')],
  ['/modules/a.js', Buffer.from('module a')],
  ['/config.json', Buffer.from('{}')],
]);
const proxy = (config: string) => createCodebase({ layers: [base, new Map([['/config.json', Buffer.from(config)]])] });

/** The answer's head as the client reads it. */
const headOf = (a: Answer) => Buffer.concat([a.head, a.headTail ?? Buffer.alloc(0)]).toString('latin1');

t.test('a file answer reads exactly as a head built whole would', async (t) => {
  const answers = createAnswers();
  const cb = proxy('{"a":1}');
  const a = answers.of(cb, '/modules/a.js');
  if (!a) return t.fail('no answer');
  t.equal(headOf(a), responseHead(200, { etag: cb.version, 'content-type': 'text/javascript' }, 8).toString('latin1'));
  t.equal(Buffer.from(a.body).toString(), 'module a');
  t.equal(a.last, true, 'the manifest lists /modules/a.js last: its GET completes a download');
  const config = answers.of(cb, '/config.json');
  t.equal(config && headOf(config), responseHead(200, { etag: cb.version, 'content-type': 'application/json' }, 7).toString('latin1'));
  t.equal(config?.last, false);
  t.equal(answers.of(cb, '/nope.js'), undefined, 'not a file of the codebase');
  t.equal(answers.of(cb, '/modules'), undefined, 'a directory is no file');
});

t.test('the manifest: main first, then the other paths sorted; one head whole', async (t) => {
  const answers = createAnswers();
  const cb = proxy('{}');
  const m = answers.of(cb, '');
  if (!m) return t.fail('no manifest');
  t.equal(Buffer.from(m.body).toString(), '/main.js\n/config.json\n/modules/a.js\n');
  t.equal(m.headTail, undefined);
  t.equal(m.head.toString('latin1'), responseHead(200, { etag: cb.version, 'content-type': 'text/plain' }, m.body.length).toString('latin1'));
  t.equal(m.last, false);
});

t.test('codebases sharing base files share their headers; each version keeps its own etag line', async (t) => {
  const answers = createAnswers();
  const one = proxy('{"p":1}');
  const two = proxy('{"p":2}');
  const a1 = answers.of(one, '/main.js');
  const a2 = answers.of(two, '/main.js');
  t.ok(a1 && a2);
  t.equal(a1?.headTail, a2?.headTail, 'one set of headers for a base file, whatever codebase serves it');
  t.equal(a1?.body, a2?.body, 'and one copy of its bytes');
  t.not(a1?.head, a2?.head, 'the status line and etag are the version’s');
  t.match(a1?.head.toString('latin1'), new RegExp(`etag: ${one.version}\r\n$`));
  t.match(a2?.head.toString('latin1'), new RegExp(`etag: ${two.version}\r\n$`));
  t.equal(answers.of(one, '/main.js')?.head, a1?.head, 'built once per version');
  t.equal(answers.of(one, '')?.body, answers.of(two, '')?.body, 'the same list of paths: one manifest body');
});

t.test('the same bytes under another file type get that type', async (t) => {
  const answers = createAnswers();
  const bytes = Buffer.from('shared');
  const cb = createCodebase({ layers: [new Map([['/main.js', bytes], ['/data.json', bytes]])] });
  t.match(answers.of(cb, '/main.js')?.headTail?.toString('latin1'), /^content-type: text\/javascript\r\n/);
  t.match(answers.of(cb, '/data.json')?.headTail?.toString('latin1'), /^content-type: application\/json\r\n/);
  t.match(answers.of(cb, '/main.js')?.headTail?.toString('latin1'), /^content-type: text\/javascript\r\n/);
});

t.test('closing a two-piece answer marks the end of its head', async (t) => {
  const answers = createAnswers();
  const cb = proxy('{}');
  const a = answers.of(cb, '/main.js');
  if (!a) return t.fail('no answer');
  const closing = withClose(a);
  t.equal(closing.close, true);
  t.equal(closing.head, a.head, 'the shared first piece is not touched');
  t.equal(headOf({ ...a, ...closing }), responseHead(200, { etag: cb.version, 'content-type': 'text/javascript' }, 4, true).toString('latin1'));
  t.equal(a.headTail && headOf(a).endsWith('content-length: 4\r\n\r\n'), true, 'the shared headers are not changed either');
});
