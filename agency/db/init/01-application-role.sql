-- Run once by the PostgreSQL container on an empty data directory (docker-compose.yml mounts this
-- folder into /docker-entrypoint-initdb.d). The application connects as agency_app, which
-- row-level security binds to one agency; cross-agency work (the platform admin, fan-outs, webhooks
-- finding their agency) connects as agency_crossing, the one role the policies let past every
-- agency, which agency_app is not a member of and so cannot become; migrations run as the owner
-- (POSTGRES_USER). Change both passwords in a real deployment.
CREATE ROLE agency_app LOGIN PASSWORD 'agency_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE agency_crossing LOGIN PASSWORD 'agency_crossing' NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
