/** A gRPC length-prefixed message (uncompressed), for tests that speak HTTP/2 to the server by hand. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}
