import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's port on 127.0.0.1: point the client under test here instead of at the target. */
  readonly port: number;
  /** Takes the target "down": open connections are destroyed and new ones are refused. */
  cut(): void;
  /** Lets new connections through again (connections destroyed by `cut` stay gone). */
  restore(): void;
  /** Stops listening; resolves once the connections still open have ended. */
  close(): Promise<void>;
}

/**
 * A TCP proxy on an ephemeral port of 127.0.0.1 in front of `targetHost:targetPort` (typically
 * Postgres), which a test can cut and restore to take the target down for its own app alone.
 */
export async function startTcpProxy(targetPort: number, targetHost: string): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      up = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
