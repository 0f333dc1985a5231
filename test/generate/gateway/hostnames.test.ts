import t from 'tap';
import { compareHostKeys, hostnameWithin, intersectHostnames } from '../../../src/generate/gateway/hostnames.js';

t.test('a wildcard label matches one or more labels, never the bare domain', async (t) => {
  t.ok(hostnameWithin('a.example.com', '*.example.com'));
  t.ok(hostnameWithin('a.b.example.com', '*.example.com'), 'more than one label (FSM matched exactly one)');
  t.notOk(hostnameWithin('example.com', '*.example.com'));
  t.notOk(hostnameWithin('aexample.com', '*.example.com'));
  t.ok(hostnameWithin('*.a.example.com', '*.example.com'), 'a narrower wildcard');
  t.ok(hostnameWithin('anything.org', '*'));
});

t.test('listener hostname ∩ route hostnames keeps the more specific name', async (t) => {
  t.same(intersectHostnames(undefined, undefined), ['*']);
  t.same(intersectHostnames('www.example.com', undefined), ['www.example.com']);
  t.same(intersectHostnames(undefined, ['b.example.com', 'a.example.com']), ['a.example.com', 'b.example.com']);
  t.same(intersectHostnames('*.example.com', ['a.example.com', 'other.org', '*.shop.example.com']), ['*.shop.example.com', 'a.example.com']);
  t.same(intersectHostnames('a.example.com', ['*.example.com']), ['a.example.com'], 'the listener name, inside the route wildcard');
  t.same(intersectHostnames('a.example.com', ['b.example.com']), [], 'no match: the route does not attach');
  t.same(intersectHostnames('*.example.com', ['*.example.com', 'A.Example.com']), ['*.example.com', 'a.example.com']);
});

t.test('host keys: exact names, wildcards from the most specific, then *', async (t) => {
  t.same(['*', '*.example.com', 'b.example.com', '*.a.example.com', 'a.example.com'].sort(compareHostKeys), ['a.example.com', 'b.example.com', '*.a.example.com', '*.example.com', '*']);
});
