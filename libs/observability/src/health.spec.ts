import { createServer, type Server, type Socket } from 'node:net';
import { HealthController, kafkaReadiness, ReadinessRegistry, databaseReadiness } from './health';

describe('ReadinessRegistry', () => {
  it('is ready when every check answers, with each check reported', async () => {
    const registry = new ReadinessRegistry({ checks: [{ name: 'a', check: async () => ({ brokers: 3 }) }] });
    registry.register(databaseReadiness({ query: async () => [{ '?column?': 1 }] }));
    const report = await registry.report();
    expect(report.status).toBe('ready');
    expect(report.checks.a).toMatchObject({ status: 'up', brokers: 3 });
    expect(report.checks.database.status).toBe('up');
  });

  it('is not ready when a check fails or does not answer in time, and says why', async () => {
    const registry = new ReadinessRegistry({ timeoutMs: 50 });
    registry.register({
      name: 'db',
      check: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'))),
    });
    registry.register({ name: 'slow', check: () => new Promise(() => undefined) });
    registry.register({ name: 'ok', check: async () => undefined });
    const report = await registry.report();
    expect(report.status).toBe('not_ready');
    expect(report.checks.db).toMatchObject({ status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(report.checks.slow).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
    expect(report.checks.ok.status).toBe('up');
  });

  it('never echoes personal data from an error message', async () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'x', check: () => Promise.reject(new Error('row 11010519491231002X failed')) });
    expect((await registry.report()).checks.x.error).toBe('row [id-number] failed');
  });

  it('shares one run between concurrent probes', async () => {
    let calls = 0;
    const registry = new ReadinessRegistry();
    registry.register({ name: 'x', check: () => (calls++, new Promise((r) => setTimeout(r, 20))) });
    await Promise.all([registry.report(), registry.report(), registry.report()]);
    expect(calls).toBe(1);
  });

  it('reports draining once shutdown has begun', async () => {
    const registry = new ReadinessRegistry();
    registry.markDraining();
    expect((await registry.report()).status).toBe('draining');
  });
});

describe('HealthController', () => {
  it('answers 503 when not ready and 200 otherwise', async () => {
    const registry = new ReadinessRegistry();
    const controller = new HealthController(registry);
    const reply = { status: jest.fn() };
    expect((await controller.ready(reply)).status).toBe('ready');
    expect(reply.status).not.toHaveBeenCalled();
    registry.register({ name: 'db', check: () => Promise.reject(new Error('down')) });
    expect((await controller.ready(reply)).status).toBe('not_ready');
    expect(reply.status).toHaveBeenCalledWith(503);
    expect(controller.live().status).toBe('up');
  });
});

describe('kafkaReadiness', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: a port that is open but is no Kafka broker.
    server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fails fast when nothing listens', async () => {
    const check = kafkaReadiness({ brokers: ['127.0.0.1:1'], clientId: 't', timeoutMs: 500 });
    const registry = new ReadinessRegistry({ checks: [check] });
    const started = Date.now();
    const report = await registry.report();
    expect(report.checks.kafka.status).toBe('down');
    expect(Date.now() - started).toBeLessThan(1_500);
    await check.close?.();
  });

  it('is down within its timeout when the port answers but no broker does', async () => {
    const check = kafkaReadiness({ brokers: [`127.0.0.1:${port}`], clientId: 't', timeoutMs: 300 });
    const registry = new ReadinessRegistry({ checks: [check] });
    const report = await registry.report();
    expect(report.checks.kafka).toMatchObject({ status: 'down' });
    expect(report.checks.kafka.durationMs).toBeLessThan(1_000);
    await check.close?.();
  });
});
