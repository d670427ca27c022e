-- 008_fork_guard_tail: the fork guard (PR003, migration 005) keeps each chain's last record in a row of its own,
-- audit_chain_tails, instead of finding it by a probe of every month partition's index for each inserted row (whose
-- cost grew with the number of partitions kept and was a third of the database's time per record). Same rule: a row
-- is admitted only as seq = last + 1 with prev = last's hash, and a chain's seq 0 only once. The tail row is moved by
-- a conditional UPDATE, which also serialises writers of one chain: a second transaction continuing the same record
-- waits for the first's row lock, then finds the tail moved and is refused. Dropping partitions (retention) never
-- touches the tails. Only the guard writes them: the function is SECURITY DEFINER and no role is granted any right
-- on the table (the auditor may read it).

CREATE TABLE audit_chain_tails (
  chain text PRIMARY KEY,
  seq   bigint NOT NULL CHECK (seq >= 0),
  hash  bytea  NOT NULL CHECK (octet_length(hash) = 32)
);
REVOKE ALL ON audit_chain_tails FROM PUBLIC;

-- Each chain's tail: its highest stored record, or its head when retention dropped every row of it.
INSERT INTO audit_chain_tails (chain, seq, hash)
  SELECT c.chain, coalesce(r.seq, c.head_seq), coalesce(r.hash, c.head_hash)
  FROM audit_chains c
  LEFT JOIN LATERAL (SELECT a.seq, a.hash FROM audit_records a WHERE a.chain = c.chain ORDER BY a.seq DESC LIMIT 1) r ON true
  WHERE coalesce(r.seq, c.head_seq) IS NOT NULL AND (r.seq IS NULL OR c.head_seq IS NULL OR r.seq >= c.head_seq);
INSERT INTO audit_chain_tails (chain, seq, hash)
  SELECT c.chain, c.head_seq, c.head_hash FROM audit_chains c
  WHERE c.head_seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_chain_tails t WHERE t.chain = c.chain);

CREATE OR REPLACE FUNCTION audit_records_fork_guard() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF NEW.seq = 0 THEN
    -- A chain starts once, and only a chain that exists (its head row, created empty by the writer).
    IF NOT EXISTS (SELECT 1 FROM audit_chains h WHERE h.chain = NEW.chain) THEN
      RAISE EXCEPTION 'audit_records: chain % has no head row', NEW.chain USING ERRCODE = 'PR003';
    END IF;
    INSERT INTO audit_chain_tails (chain, seq, hash) VALUES (NEW.chain, 0, NEW.hash) ON CONFLICT (chain) DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'audit_records: chain % already has records; seq 0 refused (fork refused)', NEW.chain USING ERRCODE = 'PR003';
    END IF;
    RETURN NEW;
  END IF;
  UPDATE audit_chain_tails t SET seq = NEW.seq, hash = NEW.hash
    WHERE t.chain = NEW.chain AND t.seq = NEW.seq - 1 AND t.hash = NEW.prev;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_records: chain % continues only at seq % from its last record (fork refused)', NEW.chain,
      coalesce((SELECT t.seq + 1 FROM audit_chain_tails t WHERE t.chain = NEW.chain), 0) USING ERRCODE = 'PR003';
  END IF;
  RETURN NEW;
END;
$$;
-- A SECURITY DEFINER function resolves names in a fixed schema only (never the caller's search_path).
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION audit_records_fork_guard() SET search_path = %I, pg_temp', current_schema());
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_auditor') THEN
    GRANT SELECT ON audit_chain_tails TO proctor_auditor;
  END IF;
END;
$$;
