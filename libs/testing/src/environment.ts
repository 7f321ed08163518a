// The one place @portico/testing reads the environment (libs/config and libs/testing are the only
// projects allowed to): everything else takes these values as arguments.

export interface TestEnvironment {
  /** KAFKA_BROKERS, comma separated: use this cluster and nothing else. */
  readonly kafkaBrokers?: string[];
  /** DATABASE_URL: a role allowed to CREATE/DROP DATABASE on the Postgres to use. */
  readonly databaseUrl?: string;
  /** S3MOCK_ENDPOINT: an S3Mock already running (a CI service container), used instead of starting one. */
  readonly s3MockEndpoint?: string;
  /** JAVA_HOME: the JDK/JRE that runs S3Mock's jar (else `java` on the PATH). */
  readonly javaHome?: string;
}

export function readTestEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TestEnvironment {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  const databaseUrl = env.DATABASE_URL?.trim();
  const s3MockEndpoint = env.S3MOCK_ENDPOINT?.trim().replace(/\/+$/, '');
  return {
    kafkaBrokers: brokers.length > 0 ? brokers : undefined,
    databaseUrl: databaseUrl ? databaseUrl : undefined,
    s3MockEndpoint: s3MockEndpoint ? s3MockEndpoint : undefined,
    javaHome: env.JAVA_HOME?.trim() || undefined,
  };
}
