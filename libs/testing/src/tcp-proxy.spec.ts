import { createServer, connect, type Server } from 'node:net';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/** Sends `text` through a new connection to `port` and resolves with what came back, or the error. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.length >= text.length) socket.end();
    });
    socket.on('close', () => (received === text ? resolve(received) : reject(new Error('closed early'))));
    socket.on('error', reject);
  });
}

describe('startTcpProxy', () => {
  let echo: Server;
  let proxy: TcpProxy;

  beforeEach(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startTcpProxy((echo.address() as { port: number }).port, '127.0.0.1');
  });

  afterEach(async () => {
    proxy.restore();
    await proxy.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('passes bytes both ways on an ephemeral port of its own', async () => {
    expect(proxy.port).not.toBe((echo.address() as { port: number }).port);
    await expect(roundTrip(proxy.port, 'hello through the proxy')).resolves.toBe('hello through the proxy');
  });

  it('destroys open connections and refuses new ones while cut, and lets them through once restored', async () => {
    const open = connect(proxy.port, '127.0.0.1');
    await new Promise<void>((resolve) => open.on('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => open.on('close', () => resolve()));
    open.on('error', () => undefined);
    proxy.cut();
    await closed;
    await expect(roundTrip(proxy.port, 'refused')).rejects.toThrow();
    proxy.restore();
    await expect(roundTrip(proxy.port, 'back again')).resolves.toBe('back again');
  });
});
