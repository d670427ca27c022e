-- 006_limits: counters and holds for the limits stage (src/limits/). A counter is one scope (subject, group, tenant,
-- client) in one fixed UTC window (minute, day, month) and holds SETTLED usage. A hold is an in-flight reservation's
-- share of one counter; it counts until it is settled (deleted) or until it expires. Expired holds stop counting by
-- query (expires_at > now()), so a crashed replica's reservations are released without any background job.
-- Both functions lock counter rows one by one in (scope_key, period) order, at most one window row per position,
-- and only then touch holds; housekeeping deletes skip locked rows instead of waiting. So concurrent reservations and
-- settlements can wait on each other but never deadlock. Each call is one statement: atomic, one round trip.
CREATE TABLE limit_counters (
  scope_key text NOT NULL,
  period text NOT NULL CHECK (period IN ('minute', 'day', 'month')),
  window_start timestamptz NOT NULL,
  tokens bigint NOT NULL DEFAULT 0 CHECK (tokens >= 0),
  requests bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
  spend_micro_usd bigint NOT NULL DEFAULT 0 CHECK (spend_micro_usd >= 0),
  PRIMARY KEY (scope_key, period, window_start)
);

CREATE TABLE limit_holds (
  reservation_id uuid NOT NULL,
  scope_key text NOT NULL,
  period text NOT NULL CHECK (period IN ('minute', 'day', 'month')),
  window_start timestamptz NOT NULL,
  tokens bigint NOT NULL CHECK (tokens >= 0),
  requests bigint NOT NULL CHECK (requests >= 0),
  spend_micro_usd bigint NOT NULL CHECK (spend_micro_usd >= 0),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (reservation_id, scope_key, period)
);
CREATE INDEX limit_holds_counter ON limit_holds (scope_key, period, window_start);

CREATE FUNCTION proctor_limit_window(p_period text, p_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE STRICT AS $$
  SELECT date_trunc(p_period, p_at, 'UTC')
$$;

CREATE FUNCTION proctor_limit_window_end(p_period text, p_start timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE STRICT AS $$
  SELECT p_start + CASE p_period WHEN 'minute' THEN interval '1 minute' WHEN 'day' THEN interval '1 day' ELSE interval '1 month' END
$$;

-- Reserves p_counters (a JSON array of {key, period, tokens, requests, spend, tokens_limit, requests_limit,
-- spend_limit}; a null limit is unlimited) for reservation p_id, all or nothing. Returns {ok, now_ms, counters:
-- [{key, period, window_start_ms, reset_ms, used_tokens, used_requests, used_spend}]} where used_* is settled plus
-- live holds, this reservation included when ok; when not ok, `exceeded` names the first limit that would be passed.
CREATE FUNCTION proctor_limit_reserve(p_id uuid, p_ttl_seconds integer, p_counters jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  c record;
  v_start timestamptz;
  v_tokens bigint;
  v_requests bigint;
  v_spend bigint;
  v_out jsonb := '[]'::jsonb;
  v_exceeded jsonb := NULL;
  v_new_window boolean := false;
BEGIN
  IF p_ttl_seconds IS NULL OR p_ttl_seconds <= 0 THEN
    RAISE EXCEPTION 'proctor_limit_reserve: ttl must be positive';
  END IF;
  FOR c IN
    SELECT * FROM jsonb_to_recordset(p_counters) AS x(key text, period text, tokens bigint, requests bigint, spend bigint,
      tokens_limit bigint, requests_limit bigint, spend_limit bigint)
    ORDER BY key, period
  LOOP
    v_start := proctor_limit_window(c.period, v_now);
    INSERT INTO limit_counters (scope_key, period, window_start) VALUES (c.key, c.period, v_start) ON CONFLICT DO NOTHING;
    v_new_window := v_new_window OR FOUND;
    SELECT lc.tokens, lc.requests, lc.spend_micro_usd INTO v_tokens, v_requests, v_spend
      FROM limit_counters lc WHERE lc.scope_key = c.key AND lc.period = c.period AND lc.window_start = v_start FOR UPDATE;
    SELECT v_tokens + coalesce(sum(h.tokens), 0), v_requests + coalesce(sum(h.requests), 0), v_spend + coalesce(sum(h.spend_micro_usd), 0)
      INTO v_tokens, v_requests, v_spend
      FROM limit_holds h
      WHERE h.scope_key = c.key AND h.period = c.period AND h.window_start = v_start AND h.expires_at > v_now;
    IF v_exceeded IS NULL THEN
      IF c.tokens_limit IS NOT NULL AND v_tokens + c.tokens > c.tokens_limit THEN
        v_exceeded := jsonb_build_object('key', c.key, 'period', c.period, 'metric', 'tokens');
      ELSIF c.requests_limit IS NOT NULL AND v_requests + c.requests > c.requests_limit THEN
        v_exceeded := jsonb_build_object('key', c.key, 'period', c.period, 'metric', 'requests');
      ELSIF c.spend_limit IS NOT NULL AND v_spend + c.spend > c.spend_limit THEN
        v_exceeded := jsonb_build_object('key', c.key, 'period', c.period, 'metric', 'spend');
      END IF;
    END IF;
    v_out := v_out || jsonb_build_object(
      'key', c.key, 'period', c.period,
      'window_start_ms', floor(extract(epoch FROM v_start) * 1000)::bigint,
      'reset_ms', ceil(extract(epoch FROM proctor_limit_window_end(c.period, v_start) - v_now) * 1000)::bigint,
      'used_tokens', v_tokens + c.tokens, 'used_requests', v_requests + c.requests, 'used_spend', v_spend + c.spend);
  END LOOP;
  IF v_exceeded IS NOT NULL THEN
    RETURN jsonb_build_object('ok', false, 'now_ms', floor(extract(epoch FROM v_now) * 1000)::bigint, 'exceeded', v_exceeded, 'counters', v_out);
  END IF;
  INSERT INTO limit_holds (reservation_id, scope_key, period, window_start, tokens, requests, spend_micro_usd, expires_at)
    SELECT p_id, x.key, x.period, proctor_limit_window(x.period, v_now), x.tokens, x.requests, x.spend, v_now + make_interval(secs => p_ttl_seconds)
    FROM jsonb_to_recordset(p_counters) AS x(key text, period text, tokens bigint, requests bigint, spend bigint);
  -- Housekeeping on these scopes, once per new window (so at most once a minute per scope): holds that can no longer
  -- count, minute windows that are over. Correctness never depends on it (expired holds are ignored by every query).
  -- SKIP LOCKED: it never waits for a row another transaction holds (a late settlement), so it cannot deadlock.
  IF NOT v_new_window THEN
    RETURN jsonb_build_object('ok', true, 'now_ms', floor(extract(epoch FROM v_now) * 1000)::bigint, 'counters', v_out);
  END IF;
  DELETE FROM limit_holds WHERE ctid IN (
    SELECT h.ctid FROM limit_holds h JOIN jsonb_to_recordset(p_counters) AS x(key text, period text)
      ON h.scope_key = x.key AND h.period = x.period
    WHERE h.expires_at <= v_now FOR UPDATE OF h SKIP LOCKED);
  DELETE FROM limit_counters WHERE ctid IN (
    SELECT lc.ctid FROM limit_counters lc JOIN jsonb_to_recordset(p_counters) AS x(key text, period text)
      ON lc.scope_key = x.key AND lc.period = x.period
    WHERE x.period = 'minute' AND lc.window_start < proctor_limit_window('minute', v_now) FOR UPDATE OF lc SKIP LOCKED);
  RETURN jsonb_build_object('ok', true, 'now_ms', floor(extract(epoch FROM v_now) * 1000)::bigint, 'counters', v_out);
END
$$;

-- Settles reservation p_id: drops its holds and adds the actual usage to the windows it reserved in (p_counters:
-- [{key, period, window_start_ms}]), whether or not its holds had expired. Amounts MUST be non-negative.
CREATE FUNCTION proctor_limit_settle(p_id uuid, p_counters jsonb, p_tokens bigint, p_requests bigint, p_spend bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  IF p_tokens < 0 OR p_requests < 0 OR p_spend < 0 THEN
    RAISE EXCEPTION 'proctor_limit_settle: negative amount';
  END IF;
  -- Counters first, in the same order as reservations lock them; the holds after (see the header on deadlocks).
  FOR c IN
    SELECT * FROM jsonb_to_recordset(p_counters) AS x(key text, period text, window_start_ms bigint) ORDER BY key, period
  LOOP
    INSERT INTO limit_counters AS lc (scope_key, period, window_start, tokens, requests, spend_micro_usd)
      VALUES (c.key, c.period, to_timestamp(c.window_start_ms / 1000.0), p_tokens, p_requests, p_spend)
      ON CONFLICT (scope_key, period, window_start) DO UPDATE
      SET tokens = lc.tokens + excluded.tokens, requests = lc.requests + excluded.requests,
          spend_micro_usd = lc.spend_micro_usd + excluded.spend_micro_usd;
  END LOOP;
  DELETE FROM limit_holds WHERE reservation_id = p_id;
END
$$;

-- Usage of one scope in the current windows (settled plus live holds), for the policy input's usage block.
-- PL/pgSQL rather than SQL so that its plan is cached per connection (a non-inlined SQL function is planned per call).
CREATE FUNCTION proctor_limit_usage(p_key text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT jsonb_object_agg(p.period, jsonb_build_object(
      'tokens', coalesce(c.tokens, 0) + coalesce(h.tokens, 0),
      'requests', coalesce(c.requests, 0) + coalesce(h.requests, 0),
      'spend', coalesce(c.spend_micro_usd, 0) + coalesce(h.spend, 0)))
  FROM (VALUES ('minute'), ('day'), ('month')) AS p(period)
  LEFT JOIN limit_counters c
    ON c.scope_key = p_key AND c.period = p.period AND c.window_start = proctor_limit_window(p.period, now())
  LEFT JOIN LATERAL (
    SELECT sum(x.tokens) AS tokens, sum(x.requests) AS requests, sum(x.spend_micro_usd) AS spend FROM limit_holds x
    WHERE x.scope_key = p_key AND x.period = p.period AND x.window_start = proctor_limit_window(p.period, now()) AND x.expires_at > now()
  ) h ON true);
END
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_runtime') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON limit_counters, limit_holds TO proctor_runtime;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'proctor_auditor') THEN
    GRANT SELECT ON limit_counters, limit_holds TO proctor_auditor;
  END IF;
END;
$$;
