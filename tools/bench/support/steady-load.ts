import { Agent, request } from 'node:http';

export interface SteadyRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface SteadyLoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Answers by HTTP status (0: no answer, a socket error). */
  readonly statuses: Readonly<Record<number, number>>;
  /** Most requests that were due but not yet started (because `maxInFlight` were outstanding). */
  readonly maxBacklog: number;
  readonly seconds: number;
}

/**
 * An open-loop generator: `rate` requests per second for `seconds`, started on a 5 ms tick whatever
 * the server's answers (a closed loop would slow down with the server and hide its queueing).
 * `next(i)` builds request i; `onAnswer(i, status, at)` is told each answer with the time it was
 * read (Date.now(), the clock the Kafka side uses too). Keep-alive node:http, at most `maxInFlight`
 * outstanding: beyond that the generator falls behind and says so (`maxBacklog`).
 */
export async function steadyLoad(options: {
  readonly baseUrl: string;
  readonly rate: number;
  readonly seconds: number;
  readonly maxInFlight: number;
  readonly next: (i: number) => SteadyRequest;
  readonly onAnswer: (i: number, status: number, at: number) => void;
}): Promise<SteadyLoadResult> {
  const url = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const total = Math.round(options.rate * options.seconds);
  let started = 0;
  let inFlight = 0;
  let ok = 0;
  let failed = 0;
  const statuses: Record<number, number> = {};
  let maxBacklog = 0;
  let settle: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (settle = resolve));
  const send = (i: number) => {
    const r = options.next(i);
    inFlight++;
    const done = (status: number) => {
      inFlight--;
      if (status >= 200 && status < 300) ok++;
      else failed++;
      statuses[status] = (statuses[status] ?? 0) + 1;
      options.onAnswer(i, status, Date.now());
      if (started === total && inFlight === 0) settle();
    };
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: r.path,
        method: 'POST',
        agent,
        headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(0));
      },
    );
    req.on('error', () => done(0));
    req.end(r.body);
  };
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * options.rate));
      while (started < due) {
        if (inFlight >= options.maxInFlight) {
          maxBacklog = Math.max(maxBacklog, due - started);
          break;
        }
        send(started++);
      }
      if (started >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  if (inFlight > 0) await finished;
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { sent: started, ok, failed, statuses, maxBacklog, seconds };
}
