-- 004_roles: least-privilege roles (NOLOGIN; grant them to login users): proctor_runtime may append and read
-- (INSERT, SELECT; UPDATE on audit_chains only, whose trigger allows nothing but moving a head forward) and
-- proctor_auditor may only read. Creating roles needs CREATEROLE: without it (a plain database owner, PGlite)
-- the roles are skipped with a NOTICE, and a DBA can rerun this block later. Grants are defence in depth only.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['proctor_runtime', 'proctor_auditor'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'role % not created (no CREATEROLE privilege); grant equivalent rights by hand', r;
      END;
    END IF;
  END LOOP;

  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA ' || quote_ident(current_schema()) || ' TO proctor_runtime';
    GRANT SELECT, INSERT ON audit_records, audit_checkpoints, audit_keys TO proctor_runtime;
    GRANT SELECT, INSERT, UPDATE ON audit_chains TO proctor_runtime;
    GRANT SELECT ON schema_migrations TO proctor_runtime;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_auditor') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA ' || quote_ident(current_schema()) || ' TO proctor_auditor';
    GRANT SELECT ON audit_records, audit_checkpoints, audit_keys, audit_chains, schema_migrations TO proctor_auditor;
  END IF;
END;
$$;
