# Redaction rules: finding types the proxy must replace by placeholders in the forwarded request and in the answer.
# The obligations hold for whichever permitted upstream carries the request (failover included), so PII is redacted
# as soon as ANY permitted upstream lacks zero data retention. PII of a type the policy cannot name cannot be
# redacted: with such an upstream permitted, that request is denied instead. Secrets in an answer block it.
package proctor.decision

zdr_upstreams := {upstream.name | some upstream in input.upstreams; upstream.zero_data_retention == true}

retaining_upstream_permitted if {
	some name in permitted_upstreams
	not zdr_upstreams[name]
}

redact_types contains type_name if {
	retaining_upstream_permitted
	some type_name in config.pii_types
	input.classification.types[type_name] > 0
}

# PII findings the configured lists account for: redactable types plus national identifiers (denied on their own).
known_pii_types := {t | some t in config.pii_types} | {t | some t in config.national_id_types}

known_pii_count := sum([n | some t in known_pii_types; n := input.classification.types[t]])

deny["PII_NOT_REDACTABLE"] := "personal data of a type the policy cannot redact would reach an upstream without zero data retention" if {
	retaining_upstream_permitted
	input.classification.categories.PII > known_pii_count
}

# Membership in a set is tested as a lookup (`S[x]`): `x in S` compiles to a scan of S in the wasm target, and these
# sets are built on every evaluation (a fifth of the default bundle's evaluation time went to the scans).
response_block_types contains type_name if some type_name in config.response.block_types

response_redact_types contains type_name if {
	retaining_upstream_permitted
	some type_name in config.response.redact_types
	not response_block_types[type_name]
}
