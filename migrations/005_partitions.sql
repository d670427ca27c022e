-- 005_partitions: audit_records becomes a table partitioned by month of ts (UTC), so retention drops whole months
-- (DROP TABLE of a partition), never rows. Existing rows are copied across byte for byte.
-- PostgreSQL wants the partition key in every unique constraint, so (chain, seq), (chain, prev) and (hash) are unique
-- per partition (indexes made by audit_records_ensure_partition). The fork guard across partitions is the row trigger
-- audit_records_fork_guard (SQLSTATE PR003): under the chain's head row, locked FOR UPDATE, every row must continue
-- the chain exactly from its last stored record (seq + 1, prev = its hash). The head row itself only moves forward
-- (PR002, migration 002).
-- Partitions are created ahead of time by the writer through audit_records_ensure_partition (SECURITY DEFINER, so
-- proctor_runtime can create one but not drop or alter any).

-- The guard, a BEFORE INSERT row trigger (cloned by PostgreSQL onto every partition, so it also fires for an INSERT
-- straight into one). Under the chain's head row, locked FOR UPDATE (which serialises every writer of the chain),
-- a new row must carry seq = last + 1 and prev = hash of last, where last is the chain's highest stored row in any
-- partition (rows inserted earlier by the same statement included), or the head if retention dropped them all.
-- So seqs only ever grow by one, per chain, across all partitions: no second row for a seq or a prev can be stored.
CREATE FUNCTION audit_records_fork_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  h_seq bigint;
  h_hash bytea;
  last_seq bigint;
  last_hash bytea;
BEGIN
  SELECT h.head_seq, h.head_hash INTO h_seq, h_hash FROM audit_chains h WHERE h.chain = NEW.chain FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_records: chain % has no head row', NEW.chain USING ERRCODE = 'PR003';
  END IF;
  SELECT r.seq, r.hash INTO last_seq, last_hash FROM audit_records r WHERE r.chain = NEW.chain ORDER BY r.seq DESC LIMIT 1;
  IF last_seq IS NULL OR last_seq < h_seq THEN
    last_seq := h_seq;
    last_hash := h_hash;
  END IF;
  IF NEW.seq IS DISTINCT FROM coalesce(last_seq + 1, 0) OR NEW.prev IS DISTINCT FROM last_hash THEN
    RAISE EXCEPTION 'audit_records: chain % continues only at seq % from its last record (fork refused)',
      NEW.chain, coalesce(last_seq + 1, 0) USING ERRCODE = 'PR003';
  END IF;
  RETURN NEW;
END;
$$;

ALTER TABLE audit_records RENAME TO audit_records_unpartitioned;
ALTER TABLE audit_records_unpartitioned DROP CONSTRAINT audit_records_pkey;
ALTER TABLE audit_records_unpartitioned DROP CONSTRAINT audit_records_chain_prev_key;
ALTER TABLE audit_records_unpartitioned DROP CONSTRAINT audit_records_hash_key;
DROP INDEX audit_records_ts_idx, audit_records_subject_idx, audit_records_request_id_idx;

CREATE TABLE audit_records (
  chain          text        NOT NULL,
  seq            bigint      NOT NULL CHECK (seq >= 0),
  ts             timestamptz NOT NULL,
  type           text        NOT NULL,
  request_id     text        NULL,
  subject        text        NULL,
  decision       text        NULL,
  policy_version text        NULL,
  prev           bytea       NULL CHECK (prev IS NULL OR octet_length(prev) = 32),
  hash           bytea       NOT NULL CHECK (octet_length(hash) = 32),
  kid            text        NOT NULL,
  record         bytea       NOT NULL,
  CHECK ((seq = 0) = (prev IS NULL))
) PARTITION BY RANGE (ts);
CREATE INDEX audit_records_ts_idx ON audit_records (ts);
CREATE INDEX audit_records_subject_idx ON audit_records (subject) WHERE subject IS NOT NULL;
CREATE INDEX audit_records_request_id_idx ON audit_records (request_id) WHERE request_id IS NOT NULL;

-- Row triggers are cloned onto every partition by PostgreSQL; the TRUNCATE statement trigger is not, so each
-- partition gets its own.
CREATE TRIGGER audit_records_no_update_delete BEFORE UPDATE OR DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_fork_guard BEFORE INSERT ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_fork_guard();
ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_no_update_delete;
ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_no_truncate;
ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_fork_guard;

-- The partition holding `at`: audit_records_YYYY_MM, [first of the month, first of the next) in UTC. Created with
-- its unique indexes and ENABLE ALWAYS guards if absent; returns its name. Concurrent callers are serialised.
CREATE FUNCTION audit_records_ensure_partition(at timestamptz) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  lo timestamp;
  part text;
BEGIN
  IF at IS NULL OR NOT isfinite(at) THEN
    RAISE EXCEPTION 'audit_records_ensure_partition: a finite timestamp is required' USING ERRCODE = '22023';
  END IF;
  lo := date_trunc('month', at AT TIME ZONE 'UTC');
  part := 'audit_records_' || to_char(lo, 'YYYY_MM');
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  PERFORM pg_advisory_xact_lock(7204311959);
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF audit_records FOR VALUES FROM (%L) TO (%L)', part,
                 to_char(lo, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(lo + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
  EXECUTE format('CREATE UNIQUE INDEX %I ON %I (chain, seq)', part || '_chain_seq_key', part);
  EXECUTE format('CREATE UNIQUE INDEX %I ON %I (chain, prev)', part || '_chain_prev_key', part);
  EXECUTE format('CREATE UNIQUE INDEX %I ON %I (hash)', part || '_hash_key', part);
  EXECUTE format('CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()', part);
  EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER audit_records_no_update_delete', part);
  EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER audit_records_no_truncate', part);
  EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER audit_records_fork_guard', part);
  RETURN part;
END;
$$;
-- A SECURITY DEFINER function resolves names in a fixed schema only (never the caller's search_path).
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION audit_records_ensure_partition(timestamptz) SET search_path = %I, pg_temp', current_schema());
END;
$$;
REVOKE ALL ON FUNCTION audit_records_ensure_partition(timestamptz) FROM PUBLIC;

-- Re-arms every guard, ENABLE ALWAYS, on the parent and each partition (after maintenance with triggers off).
CREATE FUNCTION audit_records_arm_guards() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  rel regclass;
BEGIN
  FOR rel IN SELECT 'audit_records'::regclass UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_records'::regclass LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_records_no_update_delete', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_records_no_truncate', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_records_fork_guard', rel);
  END LOOP;
END;
$$;

-- Copy: one partition per month present, the rows as they are (the record bytes are bytea to bytea: unchanged).
-- The fork guard is off for the copy only (the rows are the chains as they stand, already linked); then re-armed.
SELECT audit_records_ensure_partition(m) FROM (SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS m FROM audit_records_unpartitioned) months;
SELECT audit_records_ensure_partition(now());
SELECT audit_records_ensure_partition(now() + interval '1 month');
ALTER TABLE audit_records DISABLE TRIGGER audit_records_fork_guard;
INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
  SELECT chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record FROM audit_records_unpartitioned;
SELECT audit_records_arm_guards();
DO $$
BEGIN
  IF (SELECT count(*) FROM audit_records) <> (SELECT count(*) FROM audit_records_unpartitioned) THEN
    RAISE EXCEPTION '005_partitions: row count changed during the copy';
  END IF;
END;
$$;
DROP TABLE audit_records_unpartitioned;

-- Grants as in 004, on the new table: partitions are reached through the parent only (no grants of their own).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    GRANT SELECT, INSERT ON audit_records TO proctor_runtime;
    GRANT EXECUTE ON FUNCTION audit_records_ensure_partition(timestamptz) TO proctor_runtime;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_auditor') THEN
    GRANT SELECT ON audit_records TO proctor_auditor;
  END IF;
END;
$$;
