# Routing rules: which models a principal may use, which upstreams may carry the request, and the token cap.
# Upstreams keep the order of input.upstreams. PHI goes only to upstreams with a BAA.
# A principal in several groups gets the union of their model lists and the largest of their token caps.
package proctor.decision

permitted_models contains model if some model in config.models.default

permitted_models contains model if {
	some group in input.principal.groups
	some model in config.models.groups[group]
}

deny["MODEL_NOT_PERMITTED"] := "the requested model is not permitted for this principal" if {
	not permitted_models[input.request.model]
}

permitted_upstreams := [upstream.name |
	some upstream in input.upstreams
	serves_model(upstream)
	carries_content(upstream)
]

deny["NO_PERMITTED_UPSTREAM"] := "no configured upstream may carry this request" if {
	count(permitted_upstreams) == 0
}

serves_model(upstream) if input.request.model in upstream.models

serves_model(upstream) if "*" in upstream.models

carries_content(_) if not phi_present

carries_content(upstream) if upstream.baa == true

token_caps contains cap if cap := config.max_tokens.default

token_caps contains cap if {
	some group in input.principal.groups
	cap := config.max_tokens.groups[group]
}

token_cap := max(token_caps) if count(token_caps) > 0

max_tokens := token_cap if input.request.max_tokens == null

max_tokens := min([input.request.max_tokens, token_cap]) if is_number(input.request.max_tokens)
