# MCP rules (docs/mcp.md): one decision per tools/call, resources/read and prompts/get, and per listing, for inputs
# whose request.api is mcp.* (they carry input.mcp: server, method, name, the tool's annotations). Default deny.
# What goes to a tool is judged like a prompt: no secrets, no national identifiers, card data only for PCI groups,
# PHI only to a server with a BAA. A tool that does not say it is read-only, or says it is destructive, is a write
# tool: only the configured writer groups may call it (annotations are the server's hints; a missing one is a write).
# Results: secrets block them, configured types are redacted. Reasons are fixed text: no input value is echoed.
package proctor.mcp

import data.proctor.config

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
		"upstreams": [server.name],
		"max_tokens": null,
		"redact": [],
		"response": {"redact": sort(result_redact_types), "block": sort(result_block_types)},
		"limits": data.proctor.decision.limits,
	},
} if {
	well_formed
	count(deny) == 0
	data.proctor.decision.limits_complete
}

result := {
	"allow": false,
	"reasons": [{"code": code, "message": deny[code]} | some code in sort([c | some c, _ in deny])],
	"obligations": {
		"upstreams": [],
		"max_tokens": null,
		"redact": [],
		"response": {"redact": [], "block": []},
		"limits": null,
	},
} if {
	well_formed
	count(deny) > 0
}

# The one upstream of an MCP input is the server named in input.mcp.
server := input.upstreams[0]

well_formed if {
	is_string(input.principal.sub)
	is_array(input.principal.groups)
	input.mcp.version == 1
	count(input.upstreams) == 1
	server.name == input.mcp.server
	is_object(input.classification.categories)
	is_array(config.mcp.write_groups)
	is_array(config.mcp.result_redact_types)
	is_array(config.response.block_types)
	is_array(config.national_id_types)
}

deny["SECRET_DETECTED"] := "a secret (credential or key) was found in the call" if {
	input.classification.categories.SECRET > 0
}

deny["NATIONAL_ID_DETECTED"] := "a national identifier was found in the call" if {
	some id_type in config.national_id_types
	input.classification.types[id_type] > 0
}

deny["PCI_NOT_PERMITTED"] := "payment card data requires a PCI-permitted group" if {
	input.classification.categories.PCI > 0
	not in_group(config.pci_groups)
}

deny["PHI_WITHOUT_BAA"] := "health information may go only to a server covered by a BAA" if {
	input.classification.categories.PHI > 0
	server.baa != true
}

deny["WRITE_TOOL_NOT_PERMITTED"] := "this tool is not declared read-only; only writer groups may call it" if {
	input.mcp.method == "tools/call"
	write_tool
	not in_group(config.mcp.write_groups)
}

write_tool if input.mcp.annotations.read_only != true

write_tool if input.mcp.annotations.destructive == true

in_group(groups) if {
	some group in input.principal.groups
	group in groups
}

result_block_types contains type_name if some type_name in config.response.block_types

result_redact_types contains type_name if {
	some type_name in config.mcp.result_redact_types
	not result_block_types[type_name]
}
