/**
 * The parts of Nacos's naming open API both the Nacos source and the
 * registration sync use: an HTTP client on the API root, and auth (a token
 * from `POST /v1/auth/login`, sent as `accessToken` and renewed at half its
 * TTL or when a request is refused with 403).
 */
import { createHttpClient, type HttpClient, type HttpResponse } from '../../shared/http-request.js';
import { RegistryError, parseJsonAnswer } from '../catalog/registry-error.js';
import type { NacosConfig } from './config.js';

export interface NacosApi {
  /** A request with auth and the namespace filled in; throws E8001 on a refusal that a new token does not cure. */
  call(method: string, path: string, query: Record<string, string | undefined>, signal: AbortSignal | undefined, timeoutMs: number): Promise<HttpResponse>;
  close(): void;
}

export function createNacosApi(config: NacosConfig, now: () => number): NacosApi {
  const http: HttpClient = createHttpClient({ baseUrl: config.url, maxBytes: config.maxPayloadBytes });
  let token: { value: string; renewAt: number } | undefined;

  async function login(signal: AbortSignal | undefined, timeoutMs: number): Promise<string | undefined> {
    if (!config.username) return undefined;
    if (token && now() < token.renewAt) return token.value;
    const res = await http.request({
      method: 'POST',
      path: '/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: config.username, password: config.password ?? '' }).toString(),
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    if (res.status !== 200) throw new RegistryError('E8001', `login as "${config.username}": HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
    const body = parseJsonAnswer(res.body, 'login') as { accessToken?: unknown; tokenTtl?: unknown };
    if (typeof body.accessToken !== 'string') throw new RegistryError('E8001', 'login: no accessToken in the answer');
    const ttlMs = (typeof body.tokenTtl === 'number' ? body.tokenTtl : 18_000) * 1000;
    token = { value: body.accessToken, renewAt: now() + ttlMs / 2 };
    return token.value;
  }

  return {
    async call(method, path, query, signal, timeoutMs) {
      for (let attempt = 0; ; attempt++) {
        const accessToken = await login(signal, timeoutMs);
        const res = await http.request({
          method,
          path,
          query: { ...query, namespaceId: config.namespaceId, accessToken },
          timeoutMs,
          ...(signal ? { signal } : {}),
        });
        if (res.status === 403 && config.username && attempt === 0) {
          token = undefined;
          continue;
        }
        return res;
      }
    },
    close: () => http.close(),
  };
}
