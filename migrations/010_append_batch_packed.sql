-- 010_append_batch_packed: audit_append_batch (migration 007) takes a batch's bytes packed instead of as bytea
-- arrays. A bytea array travels as text (each element hex-escaped, about twice the record's size) and parsing it
-- was about 40% of the statement's time; a bytea parameter travels in binary and is copied as is. So the rows'
-- hashes come as one bytea (32 bytes each, back to back) and their canonical bytes as another, with each record's
-- length. A row's seq and prev are no longer sent: they follow from the head the batch continues (seq = head + 1,
-- prev = the head's hash, then each row's hash the next row's prev), the only values the fork guard would admit.
-- Everything else is unchanged: under the head row, locked FOR UPDATE, the head must be where this writer left it
-- (PR004, nothing written), each row passes the fork guard (PR003), the head moves once (PR002), and the function
-- runs with the caller's rights (SECURITY INVOKER).

DROP FUNCTION audit_append_batch(text, bigint, bytea, bigint[], timestamptz[], text[], text[], text[], text[], text[], bytea[], bytea[], text[], bytea[]);

CREATE FUNCTION audit_append_batch(
  p_chain text, p_base_seq bigint, p_base_hash bytea,
  p_ts timestamptz[], p_type text[], p_request_id text[], p_subject text[], p_decision text[], p_policy_version text[],
  p_kid text[], p_hashes bytea, p_records bytea, p_record_lengths integer[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  n integer := coalesce(cardinality(p_record_lengths), 0);
  first_seq bigint := coalesce(p_base_seq + 1, 0);
  h_seq bigint;
  h_hash bytea;
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
  IF (SELECT count(*) FILTER (WHERE l IS NULL OR l < 1) FROM unnest(p_record_lengths) AS l) > 0
     OR (SELECT sum(l) FROM unnest(p_record_lengths) AS l) IS DISTINCT FROM octet_length(p_records)::numeric THEN
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
  INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
    SELECT p_chain, first_seq + r.i - 1, r.ts, r.type, r.request_id, r.subject, r.decision, r.policy_version,
      CASE WHEN r.i = 1 THEN p_base_hash ELSE substring(p_hashes FROM (r.i::integer - 2) * 32 + 1 FOR 32) END,
      substring(p_hashes FROM (r.i::integer - 1) * 32 + 1 FOR 32), r.kid,
      substring(p_records FROM (sum(r.len) OVER (ORDER BY r.i) - r.len + 1)::integer FOR r.len)
    FROM unnest(p_ts, p_type, p_request_id, p_subject, p_decision, p_policy_version, p_kid, p_record_lengths)
      WITH ORDINALITY AS r(ts, type, request_id, subject, decision, policy_version, kid, len, i)
    ORDER BY r.i;
  UPDATE audit_chains SET head_seq = first_seq + n - 1, head_hash = substring(p_hashes FROM (n - 1) * 32 + 1 FOR 32), updated_at = now()
    WHERE chain = p_chain;
  RETURN first_seq + n - 1;
END;
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    GRANT EXECUTE ON FUNCTION audit_append_batch(text, bigint, bytea, timestamptz[], text[], text[], text[], text[], text[], text[], bytea, bytea, integer[]) TO proctor_runtime;
  END IF;
END;
$$;
