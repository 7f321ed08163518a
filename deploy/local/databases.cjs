// Fallback for deploy/local/databases.sh on machines without psql: creates each database named on
// the command line on PG_ADMIN_URL unless it exists. Names are validated by the shell script.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by node as is */
'use strict';
const { Client } = require('pg');

const EXISTS = 'SELECT 1 FROM pg_database WHERE datname = $1';
const DUPLICATE_DATABASE = '42P04';

async function main() {
  const client = new Client({ connectionString: process.env.PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    for (const db of process.argv.slice(2)) {
      if ((await client.query(EXISTS, [db])).rowCount > 0) {
        process.stderr.write(`[portico] database ${db} exists\n`);
        continue;
      }
      try {
        // CREATE DATABASE takes no bind parameters; the name was checked against ^[a-z_][a-z0-9_]*$.
        await client.query(`CREATE DATABASE "${db}"`);
        process.stderr.write(`[portico] database ${db} created\n`);
      } catch (err) {
        // Another run created it between our check and CREATE: that is the outcome we wanted.
        if (err && err.code === DUPLICATE_DATABASE) continue;
        throw err;
      }
    }
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  process.stderr.write(`[portico] ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});
