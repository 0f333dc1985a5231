import * as grpc from '@grpc/grpc-js';

/**
 * A loopback gRPC backend for the interop tests: one unary method,
 * `/interop.Echo/Echo`, whose response body is the backend's name (UTF-8).
 * Messages are raw bytes, so the real xDS clients need no generated stubs.
 */
export interface EchoBackend {
  readonly name: string;
  readonly port: number;
  /** Calls served so far. */
  readonly calls: number;
  close(): Promise<void>;
}

export const ECHO_METHOD = '/interop.Echo/Echo';

export async function startEchoBackend(name: string): Promise<EchoBackend> {
  const server = new grpc.Server();
  let calls = 0;
  const bytes = (b: Buffer) => b;
  server.addService(
    { Echo: { path: ECHO_METHOD, requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes } },
    {
      Echo: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        calls++;
        callback(null, Buffer.from(name));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    name,
    port,
    get calls() {
      return calls;
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
