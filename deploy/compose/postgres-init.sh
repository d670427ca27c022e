#!/usr/bin/env bash
# The DBA's part, run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d):
# proctor_owner owns the database and runs `proctor migrate`; proctor_runtime and proctor_auditor are the NOLOGIN
# roles migrations/004_roles.sql grants to (created here, so the owner needs no CREATEROLE); proctor_app is the login
# Proctor serves as, holding nothing but proctor_runtime; proctor_verifier reads only (proctor verify, export).
# Passwords come from the compose environment. Development stack only: see docs/operations.md for production.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="${PROCTOR_OWNER_PASSWORD:?}" -v app_pw="${PROCTOR_APP_PASSWORD:?}" \
  -v verifier_pw="${PROCTOR_VERIFIER_PASSWORD:?}" <<'SQL'
CREATE ROLE proctor_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE proctor_runtime NOLOGIN;
CREATE ROLE proctor_auditor NOLOGIN;
CREATE ROLE proctor_app LOGIN PASSWORD :'app_pw' IN ROLE proctor_runtime;
CREATE ROLE proctor_verifier LOGIN PASSWORD :'verifier_pw' IN ROLE proctor_auditor;
CREATE DATABASE proctor OWNER proctor_owner;
REVOKE ALL ON DATABASE proctor FROM PUBLIC;
GRANT CONNECT ON DATABASE proctor TO proctor_app, proctor_verifier;
SQL
