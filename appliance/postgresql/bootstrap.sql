-- Database bootstrap for the jlay appliance, run by jlay-firstboot as the
-- PostgreSQL superuser. Idempotent. The password comes from the environment
-- (JLAY_DATABASE_PASSWORD) so it never appears on a command line.
\getenv jlay_password JLAY_DATABASE_PASSWORD
\if :{?jlay_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: JLAY_DATABASE_PASSWORD is not set'; END $$;
\endif
SELECT 'CREATE ROLE jlay LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jlay')\gexec
ALTER ROLE jlay WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'jlay_password';
SELECT 'CREATE DATABASE jlay OWNER jlay ENCODING ''UTF8'' LC_COLLATE ''C'' LC_CTYPE ''C'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'jlay')\gexec
-- The relay's migrations own the schema; nobody else may create objects in it.
\connect jlay
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO jlay;
