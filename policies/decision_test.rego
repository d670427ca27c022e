# Tests for the assembled decision: default deny, the allowed shape, reason order and fail-closed config.
package proctor.decision_test

import data.proctor.decision

base_input := {
	"principal": {"iss": "https://idp.example", "sub": "alice", "client_id": null, "groups": ["eng"], "tenant": null},
	"request": {
		"api": "openai.chat_completions", "model": "gpt-4o-mini", "stream": false, "max_tokens": null, "message_count": 1,
		"estimated_prompt_tokens": 12, "tools": {"count": 0, "names": []},
	},
	"classification": {
		"finding_count": 0, "types": {}, "categories": {}, "max_confidence": 0,
		"where": {"system": 0, "user": 0, "assistant": 0, "tool": 0, "tool_arguments": 0, "tools": 0},
	},
	"upstreams": [
		{"name": "openai", "provider": "openai", "region": "us", "baa": false, "zero_data_retention": false, "models": ["gpt-4o-mini", "gpt-4.1-mini"]},
		{"name": "echo", "provider": "echo", "region": null, "baa": true, "zero_data_retention": true, "models": ["*"]},
	],
	"time": {"unix_ms": 1700000000000, "iso": "2023-11-14T22:13:20.000Z"},
}

# with_findings returns base_input with the given classification counts, all found in user messages.
with_findings(types, categories) := object.union(base_input, {"classification": {
	"finding_count": count(types),
	"types": types,
	"categories": categories,
	"max_confidence": 90,
	"where": object.union(base_input.classification.where, {"user": count(types)}),
}})

codes(result) := [reason.code | some reason in result.reasons]

# What every deny carries: nothing may be forwarded, so nothing is obliged.
deny_obligations := {
	"upstreams": [],
	"max_tokens": null,
	"redact": [],
	"response": {"redact": [], "block": []},
	"limits": null,
}

# The answer rules from data.json: secrets block it, PII (and the denied identifiers) is redacted from it.
response_block := sort(data.proctor.config.response.block_types)

response_redact := sort(data.proctor.config.response.redact_types)

eng_limits := {
	"tokens_per_minute": 200000,
	"requests_per_minute": 60,
	"spend_micro_usd_per_day": 25000000,
	"spend_micro_usd_per_month": 500000000,
}

test_default_deny_on_empty_input if {
	result := decision.result with input as {}
	result.allow == false
	codes(result) == ["NO_RULE_ALLOWED"]
	result.obligations == deny_obligations
}

test_default_deny_on_garbage_input if {
	decision.result.allow == false with input as {"principal": "root", "request": [1, 2], "upstreams": "all"}
	decision.result.allow == false with input as 42
}

test_default_deny_on_missing_field if {
	no_model := json.remove(base_input, ["request/model"])
	result := decision.result with input as no_model
	codes(result) == ["NO_RULE_ALLOWED"]
}

test_allowed_clean_request if {
	result := decision.result with input as base_input
	result == {
		"allow": true,
		"reasons": [],
		"obligations": {
			"upstreams": ["openai", "echo"],
			"max_tokens": 4096,
			"redact": [],
			"response": {"redact": response_redact, "block": response_block},
			"limits": eng_limits,
		},
	}
}

test_deny_carries_every_reason_sorted if {
	input_value := object.union(
		with_findings({"AWS_ACCESS_KEY": 1, "US_SSN": 1, "CREDIT_CARD": 1}, {"SECRET": 1, "PII": 1, "PCI": 1}),
		{"request": {"model": "not-a-model"}, "upstreams": [base_input.upstreams[0]]},
	)
	result := decision.result with input as input_value
	result.allow == false
	codes(result) == [
		"MODEL_NOT_PERMITTED",
		"NATIONAL_ID_DETECTED",
		"NO_PERMITTED_UPSTREAM",
		"PCI_NOT_PERMITTED",
		"SECRET_DETECTED",
	]
	result.obligations == deny_obligations
}

test_every_reason_has_a_message if {
	input_value := object.union(with_findings({"US_SSN": 1}, {"SECRET": 1, "PCI": 1}), {"request": {"model": "x"}})
	result := decision.result with input as input_value
	every reason in result.reasons {
		is_string(reason.message)
		count(reason.message) > 0
	}
}

test_missing_config_denies if {
	result := decision.result with input as base_input with data.proctor.config as {}
	result.allow == false
}

test_missing_token_cap_denies if {
	config := json.remove(data.proctor.config, ["max_tokens"])
	result := decision.result with input as base_input with data.proctor.config as config
	result.allow == false
}

test_missing_response_config_denies if {
	config := json.remove(data.proctor.config, ["response"])
	result := decision.result with input as base_input with data.proctor.config as config
	result.allow == false
}
