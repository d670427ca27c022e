-- 013_limit_leases: limits are enforced against in-process quota leases (src/limits/leases.ts, docs/limits.md), not
-- per request in the database. A lease is one replica's (holder's) block of headroom on one counter (scope, period,
-- window) and one metric, granted by proctor_limit_sync only while
--   settled usage + every live lease (this one included) <= the strictest limit any live lease was granted under,
-- so the sum of leases never exceeds a limit. A live replica renews its leases on every sync that names them; a crashed
-- replica's leases count (as used) until they expire. Settled usage reaches limit_counters in batches through the same
-- statement, which moves it out of the replica's lease, so the sum is unchanged by a flush. Nothing here is written
-- per request: one statement per sync (a batch of grants, settlements, returns and reads), each row updated in place
-- (fillfactor leaves room for HOT updates: no index covers an updated column, so no dead index entries either).
DROP FUNCTION proctor_limit_admit(text, bigint);
DROP FUNCTION proctor_limit_reserve(uuid, integer, jsonb);
DROP FUNCTION proctor_limit_settle(uuid, jsonb, bigint, bigint, bigint);
DROP FUNCTION proctor_limit_usage(text);
DROP TABLE limit_holds;
ALTER TABLE limit_counters SET (fillfactor = 50);

CREATE TABLE limit_leases (
  scope_key text NOT NULL,
  period text NOT NULL CHECK (period IN ('minute', 'day', 'month')),
  window_start timestamptz NOT NULL,
  metric text NOT NULL CHECK (metric IN ('tokens', 'requests', 'spend')),
  holder uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  limit_value bigint NOT NULL CHECK (limit_value >= 0),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope_key, period, window_start, metric, holder)
) WITH (fillfactor = 50);

-- One sync of one holder, one statement. p_items: [{key, period, window_start_ms, add: {tokens, requests, spend},
-- leases: [{metric, release, reset, need, block, limit, drop}]}], where for each lease (in this order):
--   release  settled usage moved out of the lease into the counter (the counter's `add` holds it);
--   reset    when not null, the lease's amount is set to it first (what is still in use: a return of the rest, a
--            renewal after expiry, a change of limit);
--   need     when not null, a grant is asked for: at least `need` (else nothing: the caller answers 429), at most
--            `block`, and never more than a fair share of the headroom (headroom / (other holders + 1); ahead of
--            need, need = 0, half of that);
--   drop     the lease row is deleted (its window is over and nothing is in use).
-- Counters are locked in (key, period) order, each before its lease rows, so syncs of several holders never deadlock.
-- Returns {now_ms, counters: [{key, period, window_start_ms, window_end_ms, tokens, requests, spend, leases: [{metric,
-- ok, granted, amount, used, expires_ms}]}]}: settled usage after this sync; ok = a grant was asked for and the
-- headroom held at least `need` (its lease is then good for requests under that limit); used = settled + every
-- live lease.
CREATE FUNCTION proctor_limit_sync(p_holder uuid, p_ttl_seconds integer, p_items jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  c record;
  l record;
  v_start timestamptz;
  v_current boolean;
  v_row limit_counters%ROWTYPE;
  v_settled bigint;
  v_others bigint;
  v_holders bigint;
  v_min_limit bigint;
  v_ours bigint;
  v_head bigint;
  v_grant bigint;
  v_ok boolean;
  v_expires timestamptz := v_now + make_interval(secs => p_ttl_seconds);
  v_leases jsonb;
  -- An array appended in place (a jsonb array would be copied at each append: quadratic in a large batch).
  v_out jsonb[] := '{}';
BEGIN
  IF p_ttl_seconds IS NULL OR p_ttl_seconds <= 0 THEN
    RAISE EXCEPTION 'proctor_limit_sync: ttl must be positive';
  END IF;
  FOR c IN
    SELECT * FROM jsonb_to_recordset(p_items) AS x(key text, period text, window_start_ms bigint, add jsonb, leases jsonb)
    ORDER BY key, period, window_start_ms
  LOOP
    v_start := to_timestamp(c.window_start_ms / 1000.0);
    v_current := v_start = proctor_limit_window(c.period, v_now);
    IF coalesce((c.add ->> 'tokens')::bigint, 0) < 0 OR coalesce((c.add ->> 'requests')::bigint, 0) < 0
       OR coalesce((c.add ->> 'spend')::bigint, 0) < 0 THEN
      RAISE EXCEPTION 'proctor_limit_sync: negative amount';
    END IF;
    -- The counter row is locked when there is something to add or a lease to change (created on first use); a row
    -- is only written when something is added. Reads take no lock.
    IF c.add IS NOT NULL THEN
      INSERT INTO limit_counters AS lc (scope_key, period, window_start, tokens, requests, spend_micro_usd)
        VALUES (c.key, c.period, v_start, coalesce((c.add ->> 'tokens')::bigint, 0),
                coalesce((c.add ->> 'requests')::bigint, 0), coalesce((c.add ->> 'spend')::bigint, 0))
        ON CONFLICT (scope_key, period, window_start) DO UPDATE
        SET tokens = lc.tokens + excluded.tokens, requests = lc.requests + excluded.requests,
            spend_micro_usd = lc.spend_micro_usd + excluded.spend_micro_usd
        RETURNING * INTO v_row;
    ELSIF c.leases IS NOT NULL THEN
      INSERT INTO limit_counters (scope_key, period, window_start) VALUES (c.key, c.period, v_start)
        ON CONFLICT DO NOTHING;
      SELECT * INTO v_row FROM limit_counters lc
        WHERE lc.scope_key = c.key AND lc.period = c.period AND lc.window_start = v_start FOR UPDATE;
    ELSE
      SELECT * INTO v_row FROM limit_counters lc
        WHERE lc.scope_key = c.key AND lc.period = c.period AND lc.window_start = v_start;
    END IF;
    v_leases := '[]'::jsonb;
    FOR l IN
      SELECT * FROM jsonb_to_recordset(coalesce(c.leases, '[]'::jsonb)) AS y(metric text, release bigint, reset bigint,
        need bigint, block bigint, "limit" bigint, "drop" boolean)
      ORDER BY metric
    LOOP
      v_settled := CASE l.metric WHEN 'tokens' THEN v_row.tokens WHEN 'requests' THEN v_row.requests
        ELSE v_row.spend_micro_usd END;
      IF coalesce(l."drop", false) THEN
        DELETE FROM limit_leases WHERE scope_key = c.key AND period = c.period AND window_start = v_start
          AND metric = l.metric AND holder = p_holder;
        CONTINUE;
      END IF;
      SELECT coalesce(sum(ll.amount) FILTER (WHERE ll.holder <> p_holder), 0),
             count(*) FILTER (WHERE ll.holder <> p_holder AND ll.amount > 0),
             min(ll.limit_value) FILTER (WHERE ll.holder <> p_holder AND ll.amount > 0),
             coalesce(sum(ll.amount) FILTER (WHERE ll.holder = p_holder), 0)
        INTO v_others, v_holders, v_min_limit, v_ours
        FROM limit_leases ll
        WHERE ll.scope_key = c.key AND ll.period = c.period AND ll.window_start = v_start AND ll.metric = l.metric
          AND ll.expires_at > v_now;
      v_ours := CASE WHEN l.reset IS NOT NULL THEN l.reset ELSE greatest(0, v_ours - coalesce(l.release, 0)) END;
      v_grant := 0;
      v_ok := false;
      IF l.need IS NOT NULL AND v_current AND l."limit" IS NOT NULL THEN
        v_head := least(l."limit", coalesce(v_min_limit, l."limit")) - (v_settled + v_others + v_ours);
        v_ok := v_head >= l.need;
        IF v_ok THEN
          -- A grant asked for ahead of need (need = 0) takes at most half of a fair share: the last of the headroom
          -- is left for whichever replica has a request waiting for it.
          v_grant := greatest(l.need, least(coalesce(l.block, l.need),
            v_head / (v_holders + CASE WHEN l.need = 0 THEN 2 ELSE 1 END)));
        END IF;
      END IF;
      v_ours := v_ours + v_grant;
      IF v_ours = 0 THEN
        -- Nothing held: the row (kept for in-place updates) is zeroed if it is not already; a refused grant by a
        -- replica that holds nothing writes nothing.
        UPDATE limit_leases SET amount = 0 WHERE scope_key = c.key AND period = c.period AND window_start = v_start
          AND metric = l.metric AND holder = p_holder AND amount <> 0;
      ELSE
        INSERT INTO limit_leases AS ll (scope_key, period, window_start, metric, holder, amount, limit_value, expires_at)
          VALUES (c.key, c.period, v_start, l.metric, p_holder, v_ours, coalesce(l."limit", 0), v_expires)
          ON CONFLICT (scope_key, period, window_start, metric, holder) DO UPDATE
          SET amount = excluded.amount, expires_at = excluded.expires_at,
              limit_value = CASE WHEN l.need IS NULL THEN ll.limit_value ELSE excluded.limit_value END;
      END IF;
      v_leases := v_leases || jsonb_build_object('metric', l.metric, 'ok', v_ok, 'granted', v_grant, 'amount', v_ours,
        'used', v_settled + v_others + v_ours, 'expires_ms', floor(extract(epoch FROM v_expires) * 1000)::bigint);
    END LOOP;
    v_out := array_append(v_out, jsonb_build_object('key', c.key, 'period', c.period, 'window_start_ms', c.window_start_ms,
      'window_end_ms', floor(extract(epoch FROM proctor_limit_window_end(c.period, v_start)) * 1000)::bigint,
      'tokens', coalesce(v_row.tokens, 0), 'requests', coalesce(v_row.requests, 0),
      'spend', coalesce(v_row.spend_micro_usd, 0), 'leases', v_leases));
  END LOOP;
  RETURN jsonb_build_object('now_ms', floor(extract(epoch FROM v_now) * 1000)::bigint, 'counters', to_jsonb(v_out));
END
$$;

-- Housekeeping, once a minute per replica and never on a request: expired leases and those of minute windows that
-- are over, and minute counters older than an hour. SKIP LOCKED: it never waits for a row a sync holds.
CREATE FUNCTION proctor_limit_housekeep() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM limit_leases WHERE ctid IN (
    SELECT ll.ctid FROM limit_leases ll
    WHERE ll.expires_at <= now() OR (ll.period = 'minute' AND ll.window_start < proctor_limit_window('minute', now()))
    FOR UPDATE SKIP LOCKED);
  DELETE FROM limit_counters WHERE ctid IN (
    SELECT lc.ctid FROM limit_counters lc
    WHERE lc.period = 'minute' AND lc.window_start < proctor_limit_window('minute', now()) - interval '1 hour'
    FOR UPDATE SKIP LOCKED);
END
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON limit_leases TO proctor_runtime;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_auditor') THEN
    GRANT SELECT ON limit_leases TO proctor_auditor;
  END IF;
END;
$$;
