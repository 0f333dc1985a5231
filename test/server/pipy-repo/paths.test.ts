import t from 'tap';
import { resolveRepoPath } from '../../../server/pipy-repo/paths.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';

const codebases = createFakeCodebases();
codebases.setConfig('fsm-sidecar/abc.sidecar.sa.ns', {});
codebases.setConfig('fsm-base', {});
codebases.setConfig('fsm-base/nested', {});

t.test('a codebase name may span segments; the rest is the manifest, a file or an instance', async (t) => {
  t.match(resolveRepoPath('/repo/fsm-sidecar/abc.sidecar.sa.ns/', codebases), { name: 'fsm-sidecar/abc.sidecar.sa.ns', rest: '/' });
  t.match(resolveRepoPath('/repo/fsm-sidecar/abc.sidecar.sa.ns', codebases), { name: 'fsm-sidecar/abc.sidecar.sa.ns', rest: '' });
  t.match(resolveRepoPath('/repo/fsm-sidecar/abc.sidecar.sa.ns/modules/a.js', codebases), {
    name: 'fsm-sidecar/abc.sidecar.sa.ns',
    rest: '/modules/a.js',
  });
  t.match(resolveRepoPath('/repo/fsm-sidecar/abc.sidecar.sa.ns/0b9a-uuid', codebases), { rest: '/0b9a-uuid' });
});

t.test('the longest known name wins', async (t) => {
  t.match(resolveRepoPath('/repo/fsm-base/nested/config.json', codebases), { name: 'fsm-base/nested', rest: '/config.json' });
  t.match(resolveRepoPath('/repo/fsm-base/other/config.json', codebases), { name: 'fsm-base', rest: '/other/config.json' });
});

t.test('unknown names, the list, traversal and bad escapes resolve to nothing', async (t) => {
  for (const path of [
    '/repo',
    '/repo/',
    '/repo/fsm-sidecar/',
    '/repo/fsm-sidecar/other.sidecar.sa.ns/',
    '/api/v1/repo/fsm-base/',
    '/repo//fsm-base/',
    '/repo/fsm-sidecar/abc.sidecar.sa.ns/../x',
    '/repo/fsm-base%2Fnested/',
    '/repo/fsm-base/%E0%A4%A',
    '/repo/' + 'a/'.repeat(40),
  ]) {
    t.equal(resolveRepoPath(path, codebases), undefined, path);
  }
});

t.test('percent-escapes are decoded per segment', async (t) => {
  t.match(resolveRepoPath('/repo/fsm-sidecar/abc%2Esidecar.sa.ns/config%2Ejson', codebases), {
    name: 'fsm-sidecar/abc.sidecar.sa.ns',
    rest: '/config.json',
  });
});

t.test('a plain path and its escaped spelling resolve alike, up to 32 segments', async (t) => {
  const deep = createFakeCodebases();
  const name = Array.from({ length: 30 }, (_, i) => `s${i}`).join('/');
  deep.setConfig(name, {});
  deep.setConfig('s0', {});
  const seen = (path: string) => {
    const r = resolveRepoPath(path, deep);
    return r && { name: r.name, rest: r.rest };
  };
  for (const [plain, escaped, want] of [
    [`/repo/${name}/`, `/repo/s%30/${name.slice(3)}/`, { name, rest: '/' }],
    [`/repo/${name}/a.js`, `/repo/${name}/a%2Ejs`, { name, rest: '/a.js' }],
    [`/repo/${name}/a`, `/repo/${name}/%61`, { name, rest: '/a' }],
    ['/repo/s0/x/y', '/repo/s%30/x/y', { name: 's0', rest: '/x/y' }],
  ] as const) {
    t.same(seen(plain), want, plain);
    t.same(seen(escaped), want, escaped);
  }
  t.same(seen(`/repo/${name}/a/b`), { name, rest: '/a/b' }, '32 segments');
  t.equal(seen(`/repo/${name}/a/b/c`), undefined, '33 segments are not probed');
  t.equal(seen(`/repo/s%30/${name.slice(3)}/a/b/c`), undefined, 'nor when escaped');
});
