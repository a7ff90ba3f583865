-- Run once by the PostgreSQL container on an empty data directory (docker-compose.yml mounts this
-- folder into /docker-entrypoint-initdb.d). The application connects as agency_app, which
-- row-level security binds; migrations run as the owner (POSTGRES_USER).
CREATE ROLE agency_app LOGIN PASSWORD 'agency_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
