# Tests for the redaction rules: PII in the request versus zero data retention, unnameable PII, answer rules.
package proctor.decision_test

import data.proctor.decision

# Both catalogue entries with zero data retention.
all_zdr := [object.union(u, {"zero_data_retention": true}) | some u in base_input.upstreams]

test_pii_redacted_when_a_permitted_upstream_retains if {
	input_value := with_findings({"EMAIL": 2, "PHONE": 1}, {"PII": 3})
	result := decision.result with input as input_value
	result.allow == true
	result.obligations.redact == ["EMAIL", "PHONE"]
}

test_only_present_pii_types_redacted if {
	result := decision.result with input as with_findings({"EMAIL": 1, "PHONE": 0}, {"PII": 1})
	result.obligations.redact == ["EMAIL"]
}

test_pii_not_redacted_when_every_permitted_upstream_has_zdr if {
	input_value := object.union(with_findings({"EMAIL": 1}, {"PII": 1}), {"upstreams": all_zdr})
	result := decision.result with input as input_value
	result.allow == true
	result.obligations.redact == []
}

test_pii_redacted_when_the_retaining_upstream_is_only_a_fallback if {
	# echo (ZDR) first, openai (no ZDR) second: failover could reach openai, so the request is redacted anyway.
	upstreams := array.reverse(base_input.upstreams)
	input_value := object.union(with_findings({"EMAIL": 1}, {"PII": 1}), {"upstreams": upstreams})
	result := decision.result with input as input_value
	result.obligations.upstreams == ["echo", "openai"]
	result.obligations.redact == ["EMAIL"]
}

test_retaining_upstream_that_is_not_permitted_does_not_count if {
	# echo-1 is served by echo (ZDR) only; openai lacks ZDR but cannot carry the request.
	input_value := object.union(with_findings({"EMAIL": 1}, {"PII": 1}), {"request": {"model": "echo-1"}})
	result := decision.result with input as input_value
	result.obligations.upstreams == ["echo"]
	result.obligations.redact == []
}

test_unnameable_pii_denied_for_retaining_upstream if {
	result := decision.result with input as with_findings({"EMAIL": 1, "VOTER_ID": 1}, {"PII": 2})
	codes(result) == ["PII_NOT_REDACTABLE"]
}

test_unnameable_pii_allowed_when_every_upstream_has_zdr if {
	input_value := object.union(with_findings({"VOTER_ID": 1}, {"PII": 1}), {"upstreams": all_zdr})
	decision.result.allow == true with input as input_value
}

test_pii_types_come_from_config if {
	config := object.union(data.proctor.config, {"pii_types": ["EMAIL", "VOTER_ID"]})
	input_value := with_findings({"VOTER_ID": 1}, {"PII": 1})
	result := decision.result with input as input_value with data.proctor.config as config
	result.allow == true
	result.obligations.redact == ["VOTER_ID"]
}

test_missing_pii_types_denies if {
	config := json.remove(data.proctor.config, ["pii_types"])
	decision.result.allow == false with input as base_input with data.proctor.config as config
}

test_answer_secrets_always_blocked if {
	input_value := object.union(base_input, {"upstreams": all_zdr})
	result := decision.result with input as input_value
	result.obligations.response.block == response_block
	"AWS_ACCESS_KEY" in result.obligations.response.block
}

test_answer_pii_redacted_for_retaining_upstream if {
	result := decision.result with input as base_input
	result.obligations.response.redact == response_redact
	"EMAIL" in result.obligations.response.redact
}

test_answer_pii_kept_when_every_upstream_has_zdr if {
	input_value := object.union(base_input, {"upstreams": all_zdr})
	decision.result.obligations.response.redact == [] with input as input_value
}

test_answer_block_wins_over_redact if {
	config := object.union(data.proctor.config, {"response": {"block_types": ["EMAIL"], "redact_types": ["EMAIL", "PHONE"]}})
	result := decision.result with input as base_input with data.proctor.config as config
	result.obligations.response == {"block": ["EMAIL"], "redact": ["PHONE"]}
}
