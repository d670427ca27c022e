-- 009_fork_guard_statement: the fork guard (PR003) checks a whole INSERT statement at once instead of each row. It was
-- a BEFORE INSERT row trigger: a PL/pgSQL call and an UPDATE of the chain's tail row for every record, about a third
-- of the database's time per record, and each of a batch's updates of the same tail row walked the versions the
-- earlier ones had left. It is now an AFTER INSERT statement trigger with a transition table (every row the statement
-- stored, whichever partition holds it), on the parent and on every partition (a statement trigger fires for the
-- table the statement names: the parent's for inserts through it, a partition's for an insert straight into it).
-- Same rule, checked before the statement can complete (an exception undoes all of it): per chain, the statement's
-- rows must have consecutive seqs, each prev the hash of the row before, and the first must continue the tail
-- (seq = tail + 1, prev = its hash), which then moves to the last row in one conditional UPDATE; a chain's seq 0 only
-- once, and only for a chain with a head row. Two transactions continuing the same record still serialise on the
-- tail row: the second waits, finds the tail moved and is refused. A second row for a seq, prev or hash that is in
-- the same month partition is now refused by that partition's unique index (SQLSTATE 23505) before the guard runs;
-- across partitions the guard refuses it (PR003). Either way nothing of the statement is stored.

DROP TRIGGER audit_records_fork_guard ON audit_records; -- and its clones on every partition
DROP FUNCTION audit_records_fork_guard();

CREATE FUNCTION audit_records_fork_guard() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  s record;
BEGIN
  -- One pass over the statement's rows, per chain: its first row (which must continue the stored tail), its last
  -- (where the tail moves), and whether each row is the successor of the one before it (seq + 1, prev = its hash).
  FOR s IN
    SELECT a.chain, max(a.seq) FILTER (WHERE a.rn = 1) AS first_seq, (array_agg(a.prev) FILTER (WHERE a.rn = 1))[1] AS first_prev,
      max(a.seq) FILTER (WHERE a.rn = a.n) AS last_seq, (array_agg(a.hash) FILTER (WHERE a.rn = a.n))[1] AS last_hash,
      min(a.lseq + 1) FILTER (WHERE a.rn > 1 AND (a.seq <> a.lseq + 1 OR a.prev IS DISTINCT FROM a.lhash)) AS broken_at
    FROM (
      SELECT chain, seq, prev, hash, lag(seq) OVER w AS lseq, lag(hash) OVER w AS lhash, row_number() OVER w AS rn,
        count(*) OVER (PARTITION BY chain) AS n
      FROM added WINDOW w AS (PARTITION BY chain ORDER BY seq)
    ) a
    GROUP BY a.chain
  LOOP
    IF s.broken_at IS NOT NULL THEN
      RAISE EXCEPTION 'audit_records: chain % continues only at seq % from its last record (fork refused)', s.chain, s.broken_at
        USING ERRCODE = 'PR003';
    END IF;
    IF s.first_seq = 0 THEN
      -- A chain starts once, and only a chain that exists (its head row, created empty by the writer).
      IF NOT EXISTS (SELECT 1 FROM audit_chains h WHERE h.chain = s.chain) THEN
        RAISE EXCEPTION 'audit_records: chain % has no head row', s.chain USING ERRCODE = 'PR003';
      END IF;
      INSERT INTO audit_chain_tails (chain, seq, hash) VALUES (s.chain, s.last_seq, s.last_hash) ON CONFLICT (chain) DO NOTHING;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_records: chain % already has records; seq 0 refused (fork refused)', s.chain USING ERRCODE = 'PR003';
      END IF;
    ELSE
      UPDATE audit_chain_tails t SET seq = s.last_seq, hash = s.last_hash
        WHERE t.chain = s.chain AND t.seq = s.first_seq - 1 AND t.hash = s.first_prev;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'audit_records: chain % continues only at seq % from its last record (fork refused)', s.chain,
          coalesce((SELECT t.seq + 1 FROM audit_chain_tails t WHERE t.chain = s.chain), 0) USING ERRCODE = 'PR003';
      END IF;
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;

-- The partition holding `at` (as in 005), now giving a new partition the statement guard of its own.
CREATE OR REPLACE FUNCTION audit_records_ensure_partition(at timestamptz) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS $$
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
  EXECUTE format('CREATE TRIGGER audit_records_fork_guard AFTER INSERT ON %I REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION audit_records_fork_guard()', part);
  EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER audit_records_no_update_delete', part);
  EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER audit_records_no_truncate', part);
  EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER audit_records_fork_guard', part);
  RETURN part;
END;
$$;

-- The parent and every existing partition get the statement guard, ENABLE ALWAYS (audit_records_arm_guards, from
-- 005, re-arms it by the same name).
DO $$
DECLARE
  rel regclass;
BEGIN
  FOR rel IN SELECT 'audit_records'::regclass UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_records'::regclass LOOP
    EXECUTE format('CREATE TRIGGER audit_records_fork_guard AFTER INSERT ON %s REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION audit_records_fork_guard()', rel);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_records_fork_guard', rel);
  END LOOP;
  -- A SECURITY DEFINER function resolves names in a fixed schema only (never the caller's search_path).
  -- (CREATE OR REPLACE dropped ensure_partition's setting, so it is set again.)
  EXECUTE format('ALTER FUNCTION audit_records_fork_guard() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION audit_records_ensure_partition(timestamptz) SET search_path = %I, pg_temp', current_schema());
END;
$$;
