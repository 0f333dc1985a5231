import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Test } from 'tap';

/**
 * Opens a Pipy admin link by hand (WebSocket handshake on `path`), then sends
 * a masked close frame (status 1000) and keeps its half of the TCP connection
 * open: the server's link is CLOSING, so a `reload` sent now cannot go out.
 */
export function closingAdminLink(t: Test, port: number, path: string): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  t.teardown(() => socket.destroy());
  socket.on('error', () => {});
  socket.write(
    `GET ${path} HTTP/1.1\r\nhost: repo\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
      `sec-websocket-key: ${randomBytes(16).toString('base64')}\r\nsec-websocket-version: 13\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
      const mask = randomBytes(4);
      const payload = Buffer.from([0x03, 0xe8]).map((b, i) => b ^ (mask[i % 4] ?? 0));
      socket.write(Buffer.concat([Buffer.from([0x88, 0x80 | payload.length]), mask, payload]));
      socket.resume();
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
