-- 011_limits_admission: every identified request counts against its subject's request rate when it is admitted,
-- whatever happens to it next (a policy denial, a parse error, a busy classifier), so a denied request cannot be
-- repeated for free. proctor_limit_admit adds one settled request to the subject's minute counter, unless the
-- requests-per-minute limit it is given (the configured defaults' for the subject; null when none) is already
-- reached, and returns the subject's usage (as proctor_limit_usage, this request included). A reservation for an
-- admitted request then holds no second request on that counter, and its settlement adds none there: p_counters of
-- proctor_limit_settle may now carry a per-window `requests` (at most p_requests) for that.
CREATE FUNCTION proctor_limit_admit(p_key text, p_requests_limit bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  v_start timestamptz := proctor_limit_window('minute', now());
  v_used bigint;
BEGIN
  INSERT INTO limit_counters (scope_key, period, window_start) VALUES (p_key, 'minute', v_start) ON CONFLICT DO NOTHING;
  SELECT lc.requests INTO v_used FROM limit_counters lc
    WHERE lc.scope_key = p_key AND lc.period = 'minute' AND lc.window_start = v_start FOR UPDATE;
  SELECT v_used + coalesce(sum(h.requests), 0) INTO v_used FROM limit_holds h
    WHERE h.scope_key = p_key AND h.period = 'minute' AND h.window_start = v_start AND h.expires_at > now();
  IF p_requests_limit IS NOT NULL AND v_used + 1 > p_requests_limit THEN
    RETURN jsonb_build_object('admitted', false, 'used', v_used,
      'reset_ms', ceil(extract(epoch FROM proctor_limit_window_end('minute', v_start) - now()) * 1000)::bigint);
  END IF;
  UPDATE limit_counters SET requests = requests + 1
    WHERE scope_key = p_key AND period = 'minute' AND window_start = v_start;
  RETURN jsonb_build_object('admitted', true, 'usage', proctor_limit_usage(p_key));
END
$$;

CREATE OR REPLACE FUNCTION proctor_limit_settle(p_id uuid, p_counters jsonb, p_tokens bigint, p_requests bigint, p_spend bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
BEGIN
  IF p_tokens < 0 OR p_requests < 0 OR p_spend < 0 THEN
    RAISE EXCEPTION 'proctor_limit_settle: negative amount';
  END IF;
  -- Counters first, in the same order as reservations lock them; the holds after (see 006 on deadlocks).
  FOR c IN
    SELECT * FROM jsonb_to_recordset(p_counters) AS x(key text, period text, window_start_ms bigint, requests bigint) ORDER BY key, period
  LOOP
    INSERT INTO limit_counters AS lc (scope_key, period, window_start, tokens, requests, spend_micro_usd)
      VALUES (c.key, c.period, to_timestamp(c.window_start_ms / 1000.0), p_tokens, least(coalesce(c.requests, p_requests), p_requests), p_spend)
      ON CONFLICT (scope_key, period, window_start) DO UPDATE
      SET tokens = lc.tokens + excluded.tokens, requests = lc.requests + excluded.requests,
          spend_micro_usd = lc.spend_micro_usd + excluded.spend_micro_usd;
  END LOOP;
  DELETE FROM limit_holds WHERE reservation_id = p_id;
END
$$;
