# Proctor's default decision (policy-decision.v1): entrypoint proctor/decision/result.
# Default deny: a malformed input, a missing config value or any undefined step leaves `result` at its default.
# A deny carries one reason per applicable code, sorted by code. Time comes from input.time; nothing here reads
# the clock or calls out, so every decision can be replayed from its recorded input.
package proctor.decision

no_obligations := {"upstreams": [], "max_tokens": null, "redact": []}

default result := {
	"allow": false,
	"reasons": [{"code": "NO_RULE_ALLOWED", "message": "no rule allowed the request"}],
	"obligations": {"upstreams": [], "max_tokens": null, "redact": []},
}

result := {
	"allow": true,
	"reasons": [],
	"obligations": {
		"upstreams": permitted_upstreams,
		"max_tokens": max_tokens,
		# Redaction is not enforced by the proxy yet, so the policy does not claim it.
		"redact": [],
	},
} if {
	well_formed
	count(deny) == 0
	count(permitted_upstreams) > 0
}

result := {
	"allow": false,
	"reasons": [{"code": code, "message": deny[code]} | some code in sort([c | some c, _ in deny])],
	"obligations": no_obligations,
} if {
	well_formed
	count(deny) > 0
}

# The parts of policy-input.v1 the rules read; the engine validates the full schema before evaluation.
well_formed if {
	is_string(input.principal.sub)
	is_array(input.principal.groups)
	is_string(input.request.model)
	is_object(input.classification.types)
	is_object(input.classification.categories)
	is_array(input.upstreams)
}
