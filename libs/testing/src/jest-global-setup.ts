import { getTestKafka } from './kafka';
import { getTestPostgres } from './postgres';

/**
 * Optional Jest `globalSetup`: resolves Kafka and Postgres once per Jest run, in the parent
 * process, and hands them to every worker through KAFKA_BROKERS / DATABASE_URL (workers inherit
 * the environment). Without it each test file resolves on its own: correct, but with Docker that
 * is one container per file, and without Docker several workers may race to start the broker
 * (kafka.sh serialises that with a lock). Containers started here live until Jest exits.
 */
export default async function globalSetup(): Promise<void> {
  const [{ brokers }, { adminUrl }] = await Promise.all([getTestKafka(), getTestPostgres()]);
  process.env.KAFKA_BROKERS = brokers.join(',');
  process.env.DATABASE_URL = adminUrl;
}
