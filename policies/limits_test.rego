# Tests for the usage limits: default, group overrides, the most generous value, null as unlimited, fail-closed.
package proctor.decision_test

import data.proctor.decision

default_limits := data.proctor.config.limits.default

test_default_limits_without_groups if {
	input_value := object.union(with_groups([]), {"request": {"model": "echo-1"}})
	decision.result.obligations.limits == default_limits with input as input_value
}

test_group_overrides_only_the_fields_it_names if {
	limits := decision.result.obligations.limits with input as base_input
	limits == eng_limits
	limits.requests_per_minute == default_limits.requests_per_minute
}

test_most_generous_group_wins if {
	config := object.union(data.proctor.config, {"limits": {"groups": {"research": {"tokens_per_minute": 900000, "spend_micro_usd_per_day": 1}}}})
	input_value := with_groups(["eng", "research"])
	limits := decision.result.obligations.limits with input as input_value with data.proctor.config as config
	limits.tokens_per_minute == 900000
	limits.spend_micro_usd_per_day == 25000000
}

test_null_means_unlimited_and_wins if {
	config := object.union(data.proctor.config, {"limits": {"groups": {"eng": {"requests_per_minute": null}}}})
	limits := decision.result.obligations.limits with input as base_input with data.proctor.config as config
	limits.requests_per_minute == null
}

test_missing_default_limit_denies if {
	config := json.remove(data.proctor.config, ["limits/default/spend_micro_usd_per_month"])
	result := decision.result with input as base_input with data.proctor.config as config
	codes(result) == ["NO_RULE_ALLOWED"]
}

test_deny_carries_no_limits if {
	result := decision.result with input as with_findings({"AWS_ACCESS_KEY": 1}, {"SECRET": 1})
	result.obligations.limits == null
}

test_scoped_limits_pass_through_from_config if {
	scoped := [{"scope": "tenant", "tokens_per_minute": 5}, {"scope": "group", "name": "eng", "spend_micro_usd_per_day": 7}]
	config := object.union(data.proctor.config, {"limits": {"scoped": scoped}})
	limits := decision.result.obligations.limits with input as base_input with data.proctor.config as config
	limits.scoped == scoped
	limits.tokens_per_minute == eng_limits.tokens_per_minute
}

test_named_group_bucket_is_for_members_only if {
	scoped := [{"scope": "group", "name": "ops", "requests_per_minute": 2}, {"scope": "tenant", "tokens_per_minute": 5}]
	config := object.union(data.proctor.config, {"limits": {"scoped": scoped}})
	member := object.union(base_input, {"principal": object.union(base_input.principal, {"groups": ["eng", "ops"]})})
	outsider := object.union(base_input, {"principal": object.union(base_input.principal, {"groups": ["eng"]})})
	member_limits := decision.result.obligations.limits with input as member with data.proctor.config as config
	member_limits.scoped == scoped
	outsider_limits := decision.result.obligations.limits with input as outsider with data.proctor.config as config
	outsider_limits.scoped == [{"scope": "tenant", "tokens_per_minute": 5}]
}

test_no_scoped_limits_by_default if {
	limits := decision.result.obligations.limits with input as base_input
	not limits.scoped
}
