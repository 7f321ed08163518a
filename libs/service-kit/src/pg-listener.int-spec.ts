// PgListener against real Postgres, its connection through a proxy the test cuts: notices arrive,
// a lost connection is reported (the caller must assume notices were missed) and comes back with
// every LISTEN in place, and a stopped listener stays stopped.
import { Client } from 'pg';
import {
  createTestDatabase,
  startTcpProxy,
  waitFor,
  type TcpProxy,
  type TestDatabase,
} from '@portico/testing';
import { PgListener } from './pg-listener';

describe('PgListener (real Postgres)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let sender: Client;
  let listener: PgListener;
  const heard: string[] = [];
  const changes: boolean[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('pg_listener');
    const url = new URL(db.url);
    proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    sender = new Client({ connectionString: db.url });
    await sender.connect();
    listener = new PgListener({
      connectionString: url.toString(),
      applicationName: 'pg-listener-spec',
      channels: ['spec_a', 'spec_b'],
      onNotification: (channel, payload) => heard.push(`${channel}:${payload}`),
      onConnectionChange: (connected) => changes.push(connected),
    });
    await listener.start();
  }, 60_000);

  afterAll(async () => {
    await listener?.stop();
    await sender?.end();
    await proxy?.close();
    await db?.drop();
  });

  const notify = (channel: string, payload: string) =>
    sender.query('SELECT pg_notify($1, $2)', [channel, payload]);

  it('hears every channel once connected', async () => {
    expect(changes).toEqual([true]);
    await notify('spec_a', '1');
    await notify('spec_b', '2');
    await notify('spec_other', 'x');
    await waitFor(() => heard.length >= 2, { description: 'the notices' });
    expect(heard).toEqual(['spec_a:1', 'spec_b:2']);
  });

  it('reports a lost connection and listens again once Postgres is reachable', async () => {
    proxy.cut();
    await waitFor(() => changes.at(-1) === false, { description: 'the loss reported' });
    proxy.restore();
    await waitFor(() => changes.at(-1) === true, { timeoutMs: 15_000, description: 'connected again' });
    await notify('spec_b', '3');
    await waitFor(() => heard.includes('spec_b:3'), { description: 'a notice after reconnecting' });
  }, 30_000);

  it('stays stopped', async () => {
    await listener.stop();
    const reported = changes.length;
    await notify('spec_a', '4');
    await new Promise((resolve) => setTimeout(resolve, 600)); // longer than the first reconnect delay
    expect(heard).not.toContain('spec_a:4');
    expect(changes).toHaveLength(reported);
  });
});
