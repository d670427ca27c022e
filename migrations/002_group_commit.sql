-- 002_group_commit: a chain head may move forward by a whole batch of records in one transaction (group commit),
-- but only ever forward, and only onto a record that exists in that chain with exactly that hash (SQLSTATE PR002).
-- The head row stays the fork guard: every batch locks it FOR UPDATE before writing.

CREATE OR REPLACE FUNCTION audit_chains_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested IFs: NEW and OLD are unassigned for DELETE and TRUNCATE, so they are only read for UPDATE.
  IF TG_OP = 'UPDATE' THEN
    IF NEW.chain = OLD.chain AND NEW.head_seq IS NOT NULL AND NEW.head_seq >= coalesce(OLD.head_seq + 1, 0)
       AND EXISTS (SELECT 1 FROM audit_records r
                   WHERE r.chain = NEW.chain AND r.seq = NEW.head_seq AND r.hash = NEW.head_hash) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_chains heads only move forward onto a stored record: % rejected', TG_OP USING ERRCODE = 'PR002';
END;
$$;
