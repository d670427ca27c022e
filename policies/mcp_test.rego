# Tests for the MCP rules, through the bundle's entrypoint (proctor.decision.result) as Proctor evaluates them.
package proctor.mcp_test

import data.proctor.decision

mcp_input := {
	"principal": {"iss": "https://idp.example", "sub": "alice", "client_id": null, "groups": ["eng"], "tenant": null},
	"request": {
		"api": "mcp.tools_call", "model": "crm/lookup", "stream": false, "max_tokens": null, "message_count": 0,
		"estimated_prompt_tokens": 4, "tools": {"count": 1, "names": ["lookup"]},
	},
	"classification": {
		"finding_count": 0, "types": {}, "categories": {}, "max_confidence": 0,
		"where": {"system": 0, "user": 0, "assistant": 0, "tool": 0, "tool_arguments": 0, "tools": 0},
	},
	"upstreams": [{"name": "crm", "provider": "mcp", "region": null, "baa": false, "zero_data_retention": false, "models": ["*"]}],
	"time": {"unix_ms": 1700000000000, "iso": "2023-11-14T22:13:20.000Z"},
	"mcp": {
		"version": 1, "server": "crm", "method": "tools/call", "name": "lookup",
		"annotations": {"read_only": true, "destructive": false, "idempotent": true, "open_world": false},
	},
}

with_findings(input_doc, types, categories) := object.union(input_doc, {"classification": {
	"finding_count": count(types),
	"types": types,
	"categories": categories,
	"max_confidence": 90,
	"where": object.union(input_doc.classification.where, {"tool_arguments": count(types)}),
}})

with_annotations(annotations) := object.union(mcp_input, {"mcp": object.union(mcp_input.mcp, {"annotations": annotations})})

with_groups(input_doc, groups) := object.union(input_doc, {"principal": object.union(input_doc.principal, {"groups": groups})})

baa_server := object.union(mcp_input, {"upstreams": [object.union(mcp_input.upstreams[0], {"baa": true})]})

codes(result) := [reason.code | some reason in result.reasons]

test_read_only_tool_allowed_to_the_server_only if {
	r := decision.result with input as mcp_input
	r.allow
	r.obligations.upstreams == ["crm"]
	r.obligations.redact == []
	"AWS_ACCESS_KEY" in r.obligations.response.block
	r.obligations.response.redact == ["CREDIT_CARD", "US_SSN"]
	r.obligations.limits.requests_per_minute == 60
}

test_model_rules_do_not_apply_to_mcp if {
	# "crm/lookup" is no model anyone may use; the MCP rules decide, not MODEL_NOT_PERMITTED.
	r := decision.result with input as mcp_input
	not "MODEL_NOT_PERMITTED" in codes(r)
}

test_secret_in_arguments_denied if {
	r := decision.result with input as with_findings(mcp_input, {"AWS_ACCESS_KEY": 1}, {"SECRET": 1})
	not r.allow
	codes(r) == ["SECRET_DETECTED"]
	r.obligations.upstreams == []
}

test_phi_denied_without_baa if {
	r := decision.result with input as with_findings(mcp_input, {"MEDICAL_RECORD_NUMBER": 1}, {"PHI": 1})
	not r.allow
	codes(r) == ["PHI_WITHOUT_BAA"]
}

test_phi_allowed_to_a_baa_server if {
	r := decision.result with input as with_findings(baa_server, {"MEDICAL_RECORD_NUMBER": 1}, {"PHI": 1})
	r.allow
}

test_national_id_denied if {
	r := decision.result with input as with_findings(baa_server, {"US_SSN": 1}, {"PII": 1})
	codes(r) == ["NATIONAL_ID_DETECTED"]
}

test_card_needs_pci_group if {
	card := with_findings(mcp_input, {"CREDIT_CARD": 1}, {"PCI": 1})
	codes(decision.result) == ["PCI_NOT_PERMITTED"] with input as card
	decision.result.allow with input as with_groups(card, ["pci-processors"])
}

test_write_tool_only_for_writers if {
	write := with_annotations({"read_only": false, "destructive": false, "idempotent": null, "open_world": null})
	codes(decision.result) == ["WRITE_TOOL_NOT_PERMITTED"] with input as write
	decision.result.allow with input as with_groups(write, ["mcp-writers"])
}

test_missing_read_only_hint_is_a_write if {
	unknown := with_annotations({"read_only": null, "destructive": null, "idempotent": null, "open_world": null})
	codes(decision.result) == ["WRITE_TOOL_NOT_PERMITTED"] with input as unknown
}

test_destructive_is_a_write_even_if_read_only_claimed if {
	odd := with_annotations({"read_only": true, "destructive": true, "idempotent": null, "open_world": null})
	codes(decision.result) == ["WRITE_TOOL_NOT_PERMITTED"] with input as odd
}

test_listing_allowed_without_a_name if {
	listing := object.union(mcp_input, {
		"request": object.union(mcp_input.request, {"api": "mcp.tools_list", "model": "crm", "tools": {"count": 0, "names": []}}),
		"mcp": object.union(mcp_input.mcp, {"method": "tools/list", "name": null, "annotations": {"read_only": null, "destructive": null, "idempotent": null, "open_world": null}}),
	})
	decision.result.allow with input as listing
}

test_resource_read_is_not_a_tool_call if {
	read := object.union(mcp_input, {
		"request": object.union(mcp_input.request, {"api": "mcp.resources_read", "model": "crm"}),
		"mcp": object.union(mcp_input.mcp, {"method": "resources/read", "name": "file:///a", "annotations": {"read_only": null, "destructive": null, "idempotent": null, "open_world": null}}),
	})
	decision.result.allow with input as read
}

test_mcp_input_without_mcp_block_denied if {
	bare := object.remove(mcp_input, ["mcp"])
	r := decision.result with input as bare
	not r.allow
	codes(r) == ["NO_RULE_ALLOWED"]
}

test_upstream_not_the_named_server_denied if {
	other := object.union(mcp_input, {"mcp": object.union(mcp_input.mcp, {"server": "files"})})
	not decision.result.allow with input as other
}

test_missing_config_denies if {
	r := decision.result with input as mcp_input with data.proctor.config.mcp as {}
	not r.allow
}
