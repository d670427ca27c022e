-- 014_append_batch_one_record: audit_append_batch (migration 010) costs the database less per call, most of all for the
-- batch of one that every record is at one request at a time (issue 17: a request commits its decision, then its
-- outcome, each alone). For a batch of one, the record's length is checked without the two queries over unnest (each
-- a plan started and run inside the function), and the row is inserted with VALUES instead of the unnest / window /
-- ORDER BY query, which planned and ran a sort and a window aggregate for one row. Larger batches run as before. Measured with
-- bench/c1-timeline.ts and bench/ledger.ts (docs/performance.md). Same checks, same errors (22023, PR004), same rows:
-- the head is still locked FOR UPDATE and must be where this writer left it, every row still passes the fork guard
-- (PR003), the head still moves once (PR002), and the function still runs with the caller's rights.

CREATE OR REPLACE FUNCTION audit_append_batch(
  p_chain text, p_base_seq bigint, p_base_hash bytea,
  p_ts timestamptz[], p_type text[], p_request_id text[], p_subject text[], p_decision text[], p_policy_version text[],
  p_kid text[], p_hashes bytea, p_records bytea, p_record_lengths integer[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n integer := coalesce(cardinality(p_record_lengths), 0);
  first_seq bigint := coalesce(p_base_seq + 1, 0);
  h_seq bigint;
  h_hash bytea;
  one_length integer;
  total bigint := 0;
  bad boolean;
BEGIN
  IF n = 0 THEN
    RAISE EXCEPTION 'audit_append_batch: no rows' USING ERRCODE = '22023';
  END IF;
  IF coalesce(cardinality(p_ts), -1) <> n OR coalesce(cardinality(p_type), -1) <> n OR coalesce(cardinality(p_request_id), -1) <> n
     OR coalesce(cardinality(p_subject), -1) <> n OR coalesce(cardinality(p_decision), -1) <> n
     OR coalesce(cardinality(p_policy_version), -1) <> n OR coalesce(cardinality(p_kid), -1) <> n THEN
    RAISE EXCEPTION 'audit_append_batch: every column needs % values', n USING ERRCODE = '22023';
  END IF;
  IF coalesce(octet_length(p_hashes), -1) <> 32 * n THEN
    RAISE EXCEPTION 'audit_append_batch: % rows need % hash bytes, got %', n, 32 * n, coalesce(octet_length(p_hashes), 0) USING ERRCODE = '22023';
  END IF;
  IF n = 1 THEN
    -- One length, read without a query (FOREACH reads an array of any shape, as unnest does); a null or non-positive
    -- one makes the total -1, which no byte count equals.
    FOREACH one_length IN ARRAY p_record_lengths LOOP
      total := CASE WHEN one_length IS NULL OR one_length < 1 THEN -1 ELSE one_length END;
    END LOOP;
    bad := total IS DISTINCT FROM octet_length(p_records);
  ELSE
    bad := (SELECT count(*) FILTER (WHERE l IS NULL OR l < 1) FROM unnest(p_record_lengths) AS l) > 0
      OR (SELECT sum(l) FROM unnest(p_record_lengths) AS l) IS DISTINCT FROM octet_length(p_records)::numeric;
  END IF;
  IF bad THEN
    RAISE EXCEPTION 'audit_append_batch: record lengths must be positive and add up to the % record bytes', coalesce(octet_length(p_records), 0)
      USING ERRCODE = '22023';
  END IF;
  IF (p_base_seq IS NULL) <> (p_base_hash IS NULL) OR octet_length(p_base_hash) <> 32 THEN
    RAISE EXCEPTION 'audit_append_batch: a head is a seq and a 32-byte hash, or neither' USING ERRCODE = '22023';
  END IF;
  SELECT h.head_seq, h.head_hash INTO h_seq, h_hash FROM audit_chains h WHERE h.chain = p_chain FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_append_batch: chain % has no head row', p_chain USING ERRCODE = 'PR004';
  END IF;
  IF h_seq IS DISTINCT FROM p_base_seq OR h_hash IS DISTINCT FROM p_base_hash THEN
    RAISE EXCEPTION 'audit_append_batch: chain % head is at seq %, not at seq % where this writer left it', p_chain, h_seq, p_base_seq
      USING ERRCODE = 'PR004';
  END IF;
  -- One row, in arrays of the usual shape (one dimension, from 1: what unnest would read in the same order).
  IF n = 1 AND array_dims(p_ts) = '[1:1]' AND array_dims(p_type) = '[1:1]' AND array_dims(p_request_id) = '[1:1]'
     AND array_dims(p_subject) = '[1:1]' AND array_dims(p_decision) = '[1:1]' AND array_dims(p_policy_version) = '[1:1]'
     AND array_dims(p_kid) = '[1:1]' THEN
    INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
      VALUES (p_chain, first_seq, p_ts[1], p_type[1], p_request_id[1], p_subject[1], p_decision[1], p_policy_version[1],
        p_base_hash, p_hashes, p_kid[1], p_records);
  ELSE
    INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
      SELECT p_chain, first_seq + r.i - 1, r.ts, r.type, r.request_id, r.subject, r.decision, r.policy_version,
        CASE WHEN r.i = 1 THEN p_base_hash ELSE substring(p_hashes FROM (r.i::integer - 2) * 32 + 1 FOR 32) END,
        substring(p_hashes FROM (r.i::integer - 1) * 32 + 1 FOR 32), r.kid,
        substring(p_records FROM (sum(r.len) OVER (ORDER BY r.i) - r.len + 1)::integer FOR r.len)
      FROM unnest(p_ts, p_type, p_request_id, p_subject, p_decision, p_policy_version, p_kid, p_record_lengths)
        WITH ORDINALITY AS r(ts, type, request_id, subject, decision, policy_version, kid, len, i)
      ORDER BY r.i;
  END IF;
  UPDATE audit_chains SET head_seq = first_seq + n - 1, head_hash = substring(p_hashes FROM (n - 1) * 32 + 1 FOR 32), updated_at = now()
    WHERE chain = p_chain;
  RETURN first_seq + n - 1;
END;
$$;
