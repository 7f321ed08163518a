-- Runs once, when the postgres container initialises an empty data volume
-- (/docker-entrypoint-initdb.d). One database per service; a service never reads another's tables.
-- Production uses one role per database; this local stack uses the one POSTGRES_USER for all six.
CREATE DATABASE portico_carrier_ingestion;
CREATE DATABASE portico_clearance;
CREATE DATABASE portico_id_vault;
CREATE DATABASE portico_notification;
CREATE DATABASE portico_claims;
CREATE DATABASE portico_console;
