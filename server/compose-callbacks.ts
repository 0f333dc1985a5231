/** An object of optional hooks, such as XdsCallbacks or the Pipy repo server's `on…` options. */
export type Hooks<T> = { [K in keyof T]?: ((...args: never[]) => unknown) | undefined };

/**
 * Combines several observers of one server (metrics, debug views, a user's
 * own) into one callbacks object, e.g. for `createXdsServer({ callbacks })`:
 *
 *     callbacks: composeCallbacks<XdsCallbacks>(metricsCallbacks, debugCallbacks, { onStreamOpen: … })
 *
 * - Each hook of the result calls that hook of every observer that has one,
 *   in the order the observers were given, with the same arguments and with
 *   `this` set to the observer (so class instances work, methods included).
 *   `undefined` observers are skipped, so optional ones can be passed as is.
 *   A hook no observer has is absent from the result, as if never given.
 * - Hooks are looked up once, when composing: a hook added to an observer
 *   afterwards is not called.
 * - Every observer sees every event, even when an earlier one throws, so
 *   paired bookkeeping (stream opened / closed counts) stays balanced. Once
 *   all were called the error is rethrown: as is when one observer threw (its
 *   numeric `code`, if any, still sets the gRPC status the server closes the
 *   stream with); when several threw, an AggregateError of all of them that
 *   carries the first numeric `code` among them.
 * - Hooks are observers: anything they return is ignored and the composed
 *   hook returns undefined. A returned promise is not awaited (the server
 *   does not await hooks either), so an async hook must handle its own
 *   rejections.
 */
export function composeCallbacks<T extends Hooks<T>>(...observers: readonly (T | undefined)[]): T {
  const present = observers.filter((o): o is T => o !== undefined);
  const composed: Record<string, (...args: unknown[]) => void> = {};
  for (const name of hookNames(present)) {
    const calls: Array<{ observer: object; hook: (...args: unknown[]) => unknown }> = [];
    for (const observer of present) {
      const hook = (observer as Record<string, unknown>)[name];
      if (typeof hook === 'function') calls.push({ observer, hook: hook as (...args: unknown[]) => unknown });
    }
    composed[name] = (...args: unknown[]) => {
      let errors: unknown[] | undefined;
      for (const { observer, hook } of calls) {
        try {
          hook.apply(observer, args);
        } catch (err) {
          (errors ??= []).push(err);
        }
      }
      if (errors) throw errors.length === 1 ? errors[0] : aggregate(name, errors);
    };
  }
  return composed as unknown as T;
}

/** Names of the function-valued properties of the observers, own or inherited (not Object's). */
function hookNames(observers: readonly object[]): Set<string> {
  const names = new Set<string>();
  for (const observer of observers) {
    for (let o: object | null = observer; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const name of Object.getOwnPropertyNames(o)) {
        if (name !== 'constructor' && typeof (observer as Record<string, unknown>)[name] === 'function') names.add(name);
      }
    }
  }
  return names;
}

function aggregate(hook: string, errors: unknown[]): AggregateError {
  const messages = errors.map((e) => (e instanceof Error ? e.message : String(e)));
  const error = new AggregateError(errors, `${errors.length} ${hook} callbacks threw: ${messages.join('; ')}`);
  const code = errors.map((e) => (e as { code?: unknown } | null)?.code).find((c) => typeof c === 'number');
  return code === undefined ? error : Object.assign(error, { code });
}
