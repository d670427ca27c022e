# Tests for the content rules: secrets, national identifiers, payment card data, PHI routing.
package proctor.decision_test

import data.proctor.decision

test_secret_denied if {
	result := decision.result with input as with_findings({"GENERIC_API_KEY": 1}, {"SECRET": 1})
	result.allow == false
	codes(result) == ["SECRET_DETECTED"]
}

test_secret_denied_even_for_pci_group if {
	principal := object.union(base_input.principal, {"groups": ["eng", "pci-processors"]})
	input_value := object.union(with_findings({"GENERIC_API_KEY": 2}, {"SECRET": 2}), {"principal": principal})
	codes(decision.result) == ["SECRET_DETECTED"] with input as input_value
}

test_zero_count_is_not_a_finding if {
	result := decision.result with input as with_findings({"US_SSN": 0}, {"SECRET": 0, "PII": 0})
	result.allow == true
}

test_ssn_denied if {
	result := decision.result with input as with_findings({"US_SSN": 1}, {"PII": 1})
	codes(result) == ["NATIONAL_ID_DETECTED"]
}

test_national_id_types_come_from_config if {
	config := object.union(data.proctor.config, {"national_id_types": ["UK_NHS"]})
	result := decision.result with input as with_findings({"UK_NHS": 1}, {"PHI": 1}) with data.proctor.config as config
	"NATIONAL_ID_DETECTED" in codes(result)
}

test_pci_denied_without_group if {
	result := decision.result with input as with_findings({"CREDIT_CARD": 1}, {"PCI": 1})
	codes(result) == ["PCI_NOT_PERMITTED"]
}

test_pci_allowed_with_group if {
	principal := object.union(base_input.principal, {"groups": ["eng", "pci-processors"]})
	input_value := object.union(with_findings({"CREDIT_CARD": 1}, {"PCI": 1}), {"principal": principal})
	result := decision.result with input as input_value
	result.allow == true
	result.obligations.upstreams == ["openai", "echo"]
}

test_pii_allowed_with_redaction if {
	result := decision.result with input as with_findings({"EMAIL": 3}, {"PII": 3})
	result.allow == true
	result.obligations.redact == ["EMAIL"]
}

test_phi_only_to_baa_upstreams if {
	result := decision.result with input as with_findings({"MEDICAL_RECORD_NUMBER": 1}, {"PHI": 1})
	result.allow == true
	result.obligations.upstreams == ["echo"]
}

test_phi_without_baa_upstream_denied if {
	upstreams := [object.union(u, {"baa": false}) | some u in base_input.upstreams]
	input_value := object.union(with_findings({"MEDICAL_RECORD_NUMBER": 1}, {"PHI": 1}), {"upstreams": upstreams})
	result := decision.result with input as input_value
	codes(result) == ["NO_PERMITTED_UPSTREAM"]
}

test_baa_must_be_true_not_truthy if {
	upstreams := [object.union(u, {"baa": "yes"}) | some u in base_input.upstreams]
	input_value := object.union(with_findings({"MEDICAL_RECORD_NUMBER": 1}, {"PHI": 1}), {"upstreams": upstreams})
	decision.result.allow == false with input as input_value
}
