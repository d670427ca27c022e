-- 001_ledger: the signed, hash-chained audit ledger (docs/ledger.md).
-- audit_records.record holds the exact canonical bytes that were hashed and signed; the other columns are an
-- index beside them, checked against the bytes by `proctor verify`. Rows are append-only: UPDATE, DELETE and
-- TRUNCATE are rejected by triggers that fire ALWAYS (also under session_replication_role = replica).

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
  PRIMARY KEY (chain, seq),
  UNIQUE (chain, prev),
  UNIQUE (hash),
  CHECK ((seq = 0) = (prev IS NULL))
);
CREATE INDEX audit_records_ts_idx ON audit_records (ts);
CREATE INDEX audit_records_subject_idx ON audit_records (subject) WHERE subject IS NOT NULL;
CREATE INDEX audit_records_request_id_idx ON audit_records (request_id) WHERE request_id IS NOT NULL;

-- The head of each chain, locked FOR UPDATE by every append: it serialises writers on one chain (never a
-- sequence, whose rolled-back values would leave gaps that look like deletions).
CREATE TABLE audit_chains (
  chain      text        PRIMARY KEY,
  head_seq   bigint      NULL,
  head_hash  bytea       NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((head_seq IS NULL) = (head_hash IS NULL))
);

-- Informative only: the verifier never trusts keys read from the database it is checking.
CREATE TABLE audit_keys (
  kid            text        PRIMARY KEY,
  public_key_pem text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- SQLSTATE PR001: an attempt to rewrite or erase audit history.
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_records is append-only: % rejected', TG_OP USING ERRCODE = 'PR001';
END;
$$;

CREATE TRIGGER audit_records_no_update_delete BEFORE UPDATE OR DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_no_update_delete;
ALTER TABLE audit_records ENABLE ALWAYS TRIGGER audit_records_no_truncate;

-- A chain head only moves forward, one record at a time, and is never deleted (SQLSTATE PR002).
CREATE FUNCTION audit_chains_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested IFs: NEW and OLD are unassigned for DELETE and TRUNCATE, so they are only read for UPDATE.
  IF TG_OP = 'UPDATE' THEN
    IF NEW.chain = OLD.chain AND NEW.head_seq IS NOT NULL AND NEW.head_seq = coalesce(OLD.head_seq + 1, 0) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_chains heads only move forward: % rejected', TG_OP USING ERRCODE = 'PR002';
END;
$$;

CREATE TRIGGER audit_chains_forward_only BEFORE UPDATE OR DELETE ON audit_chains
  FOR EACH ROW EXECUTE FUNCTION audit_chains_forward_only();
CREATE TRIGGER audit_chains_no_truncate BEFORE TRUNCATE ON audit_chains
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chains_forward_only();
ALTER TABLE audit_chains ENABLE ALWAYS TRIGGER audit_chains_forward_only;
ALTER TABLE audit_chains ENABLE ALWAYS TRIGGER audit_chains_no_truncate;
