-- 003_checkpoints: signed checkpoints of each chain (docs/ledger.md): tree size, RFC 6962 root, the C2SP
-- tlog-checkpoint signed note as published, and the writer's compact-tree frontier at that size (so a restarted
-- writer resumes its Merkle tree without rereading the chain). Append-only, like audit_records (SQLSTATE PR001).

CREATE TABLE audit_checkpoints (
  chain      text        NOT NULL,
  tree_size  bigint      NOT NULL CHECK (tree_size > 0),
  root_hash  bytea       NOT NULL CHECK (octet_length(root_hash) = 32),
  frontier   bytea       NOT NULL CHECK (octet_length(frontier) % 32 = 0),
  note       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain, tree_size)
);

CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only: % rejected', TG_OP USING ERRCODE = 'PR001';
END;
$$;

CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
ALTER TABLE audit_checkpoints ENABLE ALWAYS TRIGGER audit_checkpoints_no_update_delete;
ALTER TABLE audit_checkpoints ENABLE ALWAYS TRIGGER audit_checkpoints_no_truncate;
