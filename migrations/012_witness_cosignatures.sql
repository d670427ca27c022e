-- 012_witness_cosignatures: cosignatures of checkpoints by C2SP tlog-witness witnesses (docs/ledger.md, witnesses).
-- One row per (chain, tree size, witness): the witness's verifier key, its signature line as returned (cosignature/v1,
-- verified by the writer against the configured key before it is stored) and the time inside it. The newest row per
-- (chain, witness) is the size the next consistency proof starts from. Append-only, like audit_checkpoints (PR001).

CREATE TABLE audit_witness_cosignatures (
  chain       text        NOT NULL,
  tree_size   bigint      NOT NULL CHECK (tree_size > 0),
  witness     text        NOT NULL CHECK (length(witness) BETWEEN 1 AND 1024),
  line        text        NOT NULL CHECK (length(line) BETWEEN 1 AND 2048),
  cosigned_at timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain, witness, tree_size)
);

CREATE FUNCTION audit_witness_cosignatures_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_witness_cosignatures is append-only: % rejected', TG_OP USING ERRCODE = 'PR001';
END;
$$;

CREATE TRIGGER audit_witness_cosignatures_no_update_delete BEFORE UPDATE OR DELETE ON audit_witness_cosignatures
  FOR EACH ROW EXECUTE FUNCTION audit_witness_cosignatures_append_only();
CREATE TRIGGER audit_witness_cosignatures_no_truncate BEFORE TRUNCATE ON audit_witness_cosignatures
  FOR EACH STATEMENT EXECUTE FUNCTION audit_witness_cosignatures_append_only();
ALTER TABLE audit_witness_cosignatures ENABLE ALWAYS TRIGGER audit_witness_cosignatures_no_update_delete;
ALTER TABLE audit_witness_cosignatures ENABLE ALWAYS TRIGGER audit_witness_cosignatures_no_truncate;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    GRANT SELECT, INSERT ON audit_witness_cosignatures TO proctor_runtime;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_auditor') THEN
    GRANT SELECT ON audit_witness_cosignatures TO proctor_auditor;
  END IF;
END;
$$;
