// Shared plumbing of the test simulators (not loaded by the application): a local HTTP server on a
// free port that hands each request, body read, to a handler.
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SimulatorRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface SimulatorAnswer {
  readonly status: number;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
}

export interface RunningSimulator {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpSimulator(
  handle: (req: SimulatorRequest) => SimulatorAnswer | Promise<SimulatorAnswer>,
  options: { tls?: { key: string; cert: string } } = {},
): Promise<RunningSimulator> {
  const listener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const answer = await handle({
            method: req.method ?? 'GET',
            url: new URL(req.url ?? '/', 'http://127.0.0.1'),
            headers: req.headers,
            body: Buffer.concat(chunks),
          });
          res.writeHead(answer.status, {
            ...(answer.json !== undefined ? { 'content-type': 'application/json' } : {}),
            ...answer.headers,
          });
          res.end(answer.json !== undefined ? JSON.stringify(answer.json) : undefined);
        } catch {
          res.writeHead(500).end();
        }
      })();
    });
  };
  const server: Server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { FailurePlan } from '@portico/testing/smtp';

/**
 * A throw-away self-signed certificate for 127.0.0.1 (openssl CLI), for simulators of services
 * their clients only reach over https (web-push always uses https).
 */
export function selfSignedCertificate(): { key: string; cert: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { mkdtempSync, readFileSync, rmSync } = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/portico-sim-cert-`);
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(`${dir}/key.pem`, 'utf8'), cert: readFileSync(`${dir}/cert.pem`, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
