// A real S3-compatible server for integration tests: Adobe S3Mock (subpath @portico/testing/s3mock).
// Not a simulator written here: a third-party implementation of the S3 REST API (signatures are
// accepted but not verified), so the AWS SDK, its checksums and its paging run for real.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable } from './docker';
import { readTestEnvironment } from './environment';
import { announce, once, resolveSource, type InfrastructureSource } from './infrastructure';
import { findRepositoryRoot } from './local-services';
import { waitFor } from './wait-for';

/** One version for both ways of running it: the Maven Central jar and the Docker Hub image. */
export const S3MOCK_VERSION = '4.11.0';
export const S3MOCK_CONTAINER_IMAGE = `adobe/s3mock:${S3MOCK_VERSION}`;
const S3MOCK_ARTIFACT = `com.adobe.testing:s3mock:${S3MOCK_VERSION}:jar:exec`;
/** S3Mock's plain-HTTP port inside its image. */
const CONTAINER_HTTP_PORT = 9090;
/** First run on a clean machine downloads the ~60 MB jar from Maven Central. */
const FETCH_TIMEOUT_MS = 300_000;
/** Spring Boot on two busy cores: ~12 s measured, more under load. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;

export interface TestS3 {
  readonly source: InfrastructureSource;
  /** http://127.0.0.1:<port>; path-style addressing (`forcePathStyle: true`) is required. */
  readonly endpoint: string;
  readonly region: string;
  /** S3Mock accepts any credentials; these exist so the SDK signs requests as it would in production. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Creates an empty bucket (S3 naming rules); give each test file its own. */
  createBucket(name: string): Promise<void>;
  /** Stops what this process started (a jar or a container); a no-op for S3MOCK_ENDPOINT. */
  stop(): Promise<void>;
}

interface Running {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const s3mock = once(async (): Promise<Running & { source: InfrastructureSource }> => {
  const resolved = await resolveSource<Running>({
    fromEnv: () => {
      const endpoint = readTestEnvironment().s3MockEndpoint;
      return endpoint ? { endpoint, stop: async () => undefined } : undefined;
    },
    dockerAvailable,
    fromContainer: startS3MockContainer,
    fromLocal: startLocalS3Mock,
  });
  announce('s3mock', resolved, resolved.value.endpoint);
  return { ...resolved.value, source: resolved.source };
});

/**
 * An S3-compatible server: S3MOCK_ENDPOINT when set, else the adobe/s3mock image through
 * Testcontainers when a Docker engine answers, else S3Mock's executable jar from Maven Central run
 * with the machine's Java 17+ (the same order as Kafka and Postgres). One per module instance, so
 * one per Jest test file; call stop() in afterAll.
 */
export async function getTestS3(): Promise<TestS3> {
  const running = await s3mock.get();
  return {
    source: running.source,
    endpoint: running.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'portico-test', secretAccessKey: 'portico-test-secret' },
    createBucket: (name) => createBucket(running.endpoint, name),
    stop: async () => {
      s3mock.reset();
      await running.stop();
    },
  };
}

async function createBucket(endpoint: string, name: string): Promise<void> {
  // CreateBucket is a bare PUT; S3Mock does not check signatures, so no SDK is needed here.
  const res = await fetch(`${endpoint}/${encodeURIComponent(name)}`, { method: 'PUT' });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`s3mock: creating bucket ${name} answered ${res.status}`);
}

async function startS3MockContainer(): Promise<Running> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(S3MOCK_CONTAINER_IMAGE)
    .withExposedPorts(CONTAINER_HTTP_PORT)
    .withWaitStrategy(Wait.forHttp('/', CONTAINER_HTTP_PORT).forStatusCode(200))
    .withStartupTimeout(START_TIMEOUT_MS)
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(CONTAINER_HTTP_PORT)}`,
    stop: async () => {
      await container.stop();
    },
  };
}

async function startLocalS3Mock(): Promise<Running> {
  const jar = await fetchS3MockJar();
  const [httpPort, root] = await Promise.all([freePort(), mkdtemp(join(tmpdir(), 'portico-s3mock-'))]);
  const child = spawn(
    javaBinary(),
    [
      '-Xmx256m',
      // The C1 compiler only: a test server lives for a minute, so start-up beats peak speed.
      '-XX:TieredStopAtLevel=1',
      '-jar',
      jar,
      // The HTTPS port is unused; 0 lets the OS pick one so parallel runs never collide.
      '--server.port=0',
      `--com.adobe.testing.s3mock.httpPort=${httpPort}`,
      `--com.adobe.testing.s3mock.store.root=${root}`,
      '--com.adobe.testing.s3mock.store.retainFilesOnExit=false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureTail(child);
  // Backstop for a test process that ends without afterAll (a crash, a timeout).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`s3mock exited with ${child.exitCode}`);
        const res = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        return res.ok;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 250, description: `s3mock answering on ${endpoint}` },
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${output()}`);
  }
  return { endpoint, stop };
}

/**
 * The executable jar in .local/s3mock (git-ignored), copied there by Maven from ~/.m2 (downloaded
 * from Maven Central the first time). Copied into a private directory and renamed into place, so
 * two test processes fetching at once never see half a jar.
 */
async function fetchS3MockJar(): Promise<string> {
  const dir = join(findRepositoryRoot(), '.local', 's3mock');
  const jar = join(dir, `s3mock-${S3MOCK_VERSION}-exec.jar`);
  if (existsSync(jar)) return jar;
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, '.fetch-'));
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(
        'mvn',
        ['-q', '-B', 'dependency:copy', `-Dartifact=${S3MOCK_ARTIFACT}`, `-DoutputDirectory=${staging}`],
        { timeout: FETCH_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error
            ? reject(
                new Error(
                  `mvn dependency:copy ${S3MOCK_ARTIFACT} failed: ${error.message}\n${stdout}${stderr}`,
                ),
              )
            : resolve(),
      ),
    );
    await rename(join(staging, `s3mock-${S3MOCK_VERSION}-exec.jar`), jar);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return jar;
}

function javaBinary(): string {
  const home = readTestEnvironment().javaHome;
  return home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : 'java';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The last few KB of the server's output, for the error when it does not come up. */
function captureTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}
