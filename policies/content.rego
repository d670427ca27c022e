# Content rules: what the classification summary forbids. Each rule adds one entry to `deny` (code -> message).
# Messages are fixed text: no input value is ever echoed into a reason.
package proctor.decision

config := data.proctor.config

deny["SECRET_DETECTED"] := "a secret (credential or key) was found in the request" if {
	input.classification.categories.SECRET > 0
}

deny["NATIONAL_ID_DETECTED"] := "a national identifier was found in the request" if {
	some id_type in config.national_id_types
	input.classification.types[id_type] > 0
}

deny["PCI_NOT_PERMITTED"] := "payment card data requires a PCI-permitted group" if {
	input.classification.categories.PCI > 0
	not pci_permitted
}

pci_permitted if {
	some group in input.principal.groups
	group in config.pci_groups
}

phi_present if input.classification.categories.PHI > 0
