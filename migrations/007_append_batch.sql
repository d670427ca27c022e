-- 007_append_batch: a whole batch of records appended in ONE statement (one round trip, its own transaction when
-- called outside one), instead of BEGIN, lock, INSERT, UPDATE, COMMIT. Nothing is weaker: under the chain's head
-- row, locked FOR UPDATE, the head must be exactly where the writer left it (SQLSTATE PR004 otherwise, and nothing is
-- written); each row still passes the fork guard (PR003: seq = last + 1, prev = its hash) and the head still moves
-- only forward onto a stored record (PR002). The function runs with the caller's rights (SECURITY INVOKER): it can do
-- nothing the caller could not do with the same INSERT and UPDATE.
CREATE FUNCTION audit_append_batch(
  p_chain text, p_base_seq bigint, p_base_hash bytea,
  p_seq bigint[], p_ts timestamptz[], p_type text[], p_request_id text[], p_subject text[], p_decision text[],
  p_policy_version text[], p_prev bytea[], p_hash bytea[], p_kid text[], p_record bytea[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n integer := coalesce(cardinality(p_seq), 0);
  h_seq bigint;
  h_hash bytea;
BEGIN
  IF n = 0 THEN
    RAISE EXCEPTION 'audit_append_batch: no rows' USING ERRCODE = '22023';
  END IF;
  IF coalesce(cardinality(p_ts), -1) <> n OR coalesce(cardinality(p_type), -1) <> n OR coalesce(cardinality(p_request_id), -1) <> n
     OR coalesce(cardinality(p_subject), -1) <> n OR coalesce(cardinality(p_decision), -1) <> n
     OR coalesce(cardinality(p_policy_version), -1) <> n OR coalesce(cardinality(p_prev), -1) <> n
     OR coalesce(cardinality(p_hash), -1) <> n OR coalesce(cardinality(p_kid), -1) <> n OR coalesce(cardinality(p_record), -1) <> n THEN
    RAISE EXCEPTION 'audit_append_batch: every column needs % values', n USING ERRCODE = '22023';
  END IF;
  SELECT h.head_seq, h.head_hash INTO h_seq, h_hash FROM audit_chains h WHERE h.chain = p_chain FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_append_batch: chain % has no head row', p_chain USING ERRCODE = 'PR004';
  END IF;
  IF h_seq IS DISTINCT FROM p_base_seq OR h_hash IS DISTINCT FROM p_base_hash THEN
    RAISE EXCEPTION 'audit_append_batch: chain % head is at seq %, not at seq % where this writer left it', p_chain, h_seq, p_base_seq
      USING ERRCODE = 'PR004';
  END IF;
  INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
    SELECT p_chain, r.seq, r.ts, r.type, r.request_id, r.subject, r.decision, r.policy_version, r.prev, r.hash, r.kid, r.record
    FROM unnest(p_seq, p_ts, p_type, p_request_id, p_subject, p_decision, p_policy_version, p_prev, p_hash, p_kid, p_record)
      WITH ORDINALITY AS r(seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record, i)
    ORDER BY r.i;
  UPDATE audit_chains SET head_seq = p_seq[n], head_hash = p_hash[n], updated_at = now() WHERE chain = p_chain;
  RETURN p_seq[n];
END;
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    GRANT EXECUTE ON FUNCTION audit_append_batch(text, bigint, bytea, bigint[], timestamptz[], text[], text[], text[], text[], text[], bytea[], bytea[], text[], bytea[]) TO proctor_runtime;
  END IF;
END;
$$;
