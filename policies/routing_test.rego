# Tests for the routing rules: model allowlists per group, upstream selection and order, token caps.
package proctor.decision_test

import data.proctor.decision

with_request(fields) := object.union(base_input, {"request": fields})

with_groups(groups) := object.union(base_input, {"principal": {"groups": groups}})

test_default_model_allowed_without_groups if {
	input_value := object.union(with_groups([]), {"request": {"model": "echo-1"}})
	result := decision.result with input as input_value
	result.allow == true
	result.obligations.upstreams == ["echo"]
	result.obligations.max_tokens == 1024
}

test_group_model_denied_without_group if {
	result := decision.result with input as with_groups(["sales"])
	codes(result) == ["MODEL_NOT_PERMITTED"]
}

test_unknown_model_denied if {
	result := decision.result with input as with_request({"model": "gpt-5-ultra"})
	"MODEL_NOT_PERMITTED" in codes(result)
}

test_upstreams_keep_input_order if {
	upstreams := array.reverse(base_input.upstreams)
	result := decision.result with input as object.union(base_input, {"upstreams": upstreams})
	result.obligations.upstreams == ["echo", "openai"]
}

test_only_upstreams_serving_the_model if {
	input_value := with_request({"model": "echo-1"})
	result := decision.result with input as input_value
	result.obligations.upstreams == ["echo"]
}

test_no_upstream_serves_model if {
	input_value := object.union(base_input, {"upstreams": [base_input.upstreams[0]], "request": {"model": "echo-1"}})
	result := decision.result with input as input_value
	codes(result) == ["NO_PERMITTED_UPSTREAM"]
}

test_empty_catalogue_denied if {
	result := decision.result with input as object.union(base_input, {"upstreams": []})
	codes(result) == ["NO_PERMITTED_UPSTREAM"]
}

test_max_tokens_null_request_gets_cap if {
	decision.result.obligations.max_tokens == 4096 with input as base_input
}

test_max_tokens_request_below_cap_kept if {
	decision.result.obligations.max_tokens == 256 with input as with_request({"max_tokens": 256})
}

test_max_tokens_request_above_cap_clamped if {
	decision.result.obligations.max_tokens == 4096 with input as with_request({"max_tokens": 100000})
}

test_max_tokens_default_cap_without_group if {
	input_value := object.union(with_groups(["sales"]), {"request": {"model": "echo-1", "max_tokens": 5000}})
	decision.result.obligations.max_tokens == 1024 with input as input_value
}

test_max_tokens_largest_group_cap if {
	config := object.union(data.proctor.config, {"max_tokens": {"groups": {"research": 8192}}})
	input_value := with_groups(["eng", "research"])
	decision.result.obligations.max_tokens == 8192 with input as input_value with data.proctor.config as config
}
