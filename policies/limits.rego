# Usage limits per principal, from data.proctor.config.limits: the default, raised by the principal's groups.
# Per field the most generous applicable value wins (null = unlimited beats any number), like the token cap.
# A field missing from limits.default leaves the decision undefined, i.e. a default deny. The policy only states
# the limits; enforcing them (atomic reservations before forwarding) is the limits stage's job.
package proctor.decision

limit_fields := ["tokens_per_minute", "requests_per_minute", "spend_micro_usd_per_day", "spend_micro_usd_per_month"]

limit_candidates(field) := array.concat(
	[config.limits.default[field]],
	[value | some group in input.principal.groups; value := config.limits.groups[group][field]],
)

limit_value(field) := null if null in limit_candidates(field)

limit_value(field) := max(limit_candidates(field)) if not null in limit_candidates(field)

limits := {field: limit_value(field) | some field in limit_fields}

limits_complete if count(limits) == count(limit_fields)
