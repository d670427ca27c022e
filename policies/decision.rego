# Proctor's default decision (policy-decision.v1): entrypoint proctor/decision/result.
# Default deny: a malformed input, a missing config value or any undefined step leaves `result` at its default.
# A deny carries one reason per applicable code, sorted by code, and empty obligations. Time comes from input.time;
# nothing here reads the clock or calls out, so every decision can be replayed from its recorded input.
package proctor.decision

no_obligations := {
	"upstreams": [],
	"max_tokens": null,
	"redact": [],
	"response": {"redact": [], "block": []},
	"limits": null,
}

default result := {
	"allow": false,
	"reasons": [{"code": "NO_RULE_ALLOWED", "message": "no rule allowed the request"}],
	"obligations": {
		"upstreams": [],
		"max_tokens": null,
		"redact": [],
		"response": {"redact": [], "block": []},
		"limits": null,
	},
}

result := {
	"allow": true,
	"reasons": [],
	"obligations": {
		"upstreams": permitted_upstreams,
		"max_tokens": max_tokens,
		"redact": sort(redact_types),
		"response": {"redact": sort(response_redact_types), "block": sort(response_block_types)},
		"limits": limits,
	},
} if {
	not mcp_request
	well_formed
	count(deny) == 0
	count(permitted_upstreams) > 0
	limits_complete
	lists_configured
}

result := {
	"allow": false,
	"reasons": [{"code": code, "message": deny[code]} | some code in sort([c | some c, _ in deny])],
	"obligations": no_obligations,
} if {
	not mcp_request
	well_formed
	count(deny) > 0
}

# MCP requests (request.api mcp.*) are decided by their own rules (mcp.rego), never by the model rules above.
mcp_request if startswith(input.request.api, "mcp.")

result := data.proctor.mcp.result if mcp_request

# The parts of policy-input.v1 the rules read; the engine validates the full schema before evaluation.
well_formed if {
	is_string(input.principal.sub)
	is_array(input.principal.groups)
	is_string(input.request.model)
	is_object(input.classification.types)
	is_object(input.classification.categories)
	is_array(input.upstreams)
}

# Lists an allow depends on: a missing one would silently mean "nothing to redact or block", so it denies instead.
lists_configured if {
	is_array(config.pii_types)
	is_array(config.national_id_types)
	is_array(config.response.block_types)
	is_array(config.response.redact_types)
}
