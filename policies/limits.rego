# Usage limits per principal, from data.proctor.config.limits: the default, raised by the principal's groups.
# Per field the most generous applicable value wins (null = unlimited beats any number), like the token cap.
# A field missing from limits.default leaves the decision undefined, i.e. a default deny. The policy only states
# the limits; the limits stage enforces them with an atomic reservation before forwarding (docs/limits.md).
package proctor.decision

limit_fields := ["tokens_per_minute", "requests_per_minute", "spend_micro_usd_per_day", "spend_micro_usd_per_month"]

limit_candidates(field) := array.concat(
	[config.limits.default[field]],
	[value | some group in input.principal.groups; value := config.limits.groups[group][field]],
)

limit_of(candidates) := null if null in candidates

limit_of(candidates) := max(candidates) if not null in candidates

# The candidates are built once a field: the wasm plan does not remember a function's result, and reading them in each
# body of a limit_value(field) built them up to three times a field (bench/policy.ts: evaluation 43-44 -> 41-42 µs).
subject_limits := {field: limit_of(limit_candidates(field)) | some field in limit_fields}

# Shared buckets (group, tenant, client) from limits.scoped, passed through as the decision's limits.scoped
# (schemas/policy-decision.v1.json, docs/limits.md); without it the decision names the subject's limits only.
# A bucket of a named group is its members' only: a caller outside the group is not limited by it.
scoped_configured if is_array(config.limits.scoped)

scoped_applies(entry) if entry.scope != "group"

scoped_applies(entry) if {
	entry.scope == "group"
	not entry.name
}

scoped_applies(entry) if {
	entry.scope == "group"
	entry.name in input.principal.groups
}

scoped_limits := [entry | some entry in config.limits.scoped; scoped_applies(entry)]

limits := object.union(subject_limits, {"scoped": scoped_limits}) if scoped_configured

limits := subject_limits if not scoped_configured

limits_complete if count(subject_limits) == count(limit_fields)
