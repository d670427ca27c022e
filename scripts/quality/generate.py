"""Generates a labelled detection-quality set with presidio-evaluator's sentence faker, deterministic from a seed.

Usage: python generate.py --seed N --per-locale N --out FILE.jsonl [--exclude OTHER.jsonl]

Each output line is one sample: {"id", "locale", "template", "text", "spans": [{"type", "start", "end", "source"}]},
offsets in UTF-16 code units (as JavaScript strings count them), end exclusive. `type` is Proctor's finding type,
or a label in LABELS_WITHOUT_COUNTERPART (kept so the sample still says what the text holds; the scorer ignores them).
`source` is the faker placeholder the value came from. The mapping from the evaluator's entities to Proctor's types
lives here, in PLACEHOLDER_TYPES, and is documented in docs/classification.md ("How detection quality is measured").
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import sys
from datetime import date, datetime

from faker import Faker
from faker.providers import BaseProvider
from presidio_evaluator.data_generator import PresidioSentenceFaker
from presidio_evaluator.data_generator.faker_extensions import AddressProviderNew, PhoneNumberProviderNew
from presidio_evaluator.data_generator.presidio_sentence_faker import (
    presidio_additional_entity_providers,
    presidio_templates_file_path,
)

# The evaluator's providers minus HospitalProvider, which downloads its list from Wikipedia (no template uses it).
EVALUATOR_PROVIDERS = [p for p in presidio_additional_entity_providers if p.__name__ != "HospitalProvider"]

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "nl_NL", "pt_BR", "ja_JP"]

# Template placeholder (after the faker's own aliases) -> Proctor finding type. Placeholders not listed here have no
# Proctor counterpart and are labelled with the evaluator's own entity name (LABELS_WITHOUT_COUNTERPART).
PERSON_PLACEHOLDERS = [
    "person",
    "name",
    "name_female",
    "name_male",
    "first_name",
    "first_name_male",
    "first_name_female",
    "first_name_nonbinary",
    "last_name",
    "last_name_male",
    "last_name_female",
]
PLACEHOLDER_TYPES = {
    **{p: "PERSON_NAME" for p in PERSON_PLACEHOLDERS},
    "email": "EMAIL",
    "phone_number": "PHONE",
    "credit_card_number": "CREDIT_CARD",
    "iban": "IBAN",
    "ip_address": "IP_ADDRESS",
    # The evaluator labels birth dates DATE_TIME; they are kept apart here, since Proctor reports only birth dates.
    "date_of_birth": "DATE_OF_BIRTH",
    # A US SSN where the locale's ssn() is en_US's or Faker's base one (###-##-####: en_US, de_DE, es_ES, ja_JP);
    # elsewhere a national id (NI number, NIR, BSN, CPF), which has no Proctor type.
    "ssn": "US_SSN",
}
LABELS_WITHOUT_COUNTERPART = {
    "ssn": "NATIONAL_ID",  # where the locale's ssn() is its own
    "date_time": "DATE_TIME",
    "day_of_week": "DATE_TIME",
    "year": "DATE_TIME",
    "address": "STREET_ADDRESS",
    "street_name": "STREET_ADDRESS",
    "building_number": "STREET_ADDRESS",
    "secondary_address": "STREET_ADDRESS",
    "postcode": "STREET_ADDRESS",
    "zipcode": "ZIP_CODE",
    "city": "GPE",
    "country": "GPE",
    "state": "GPE",
    "state_abbr": "GPE",
    "organization": "ORGANIZATION",
    "url": "DOMAIN_NAME",
    "nationality": "NRP",
    "nation_woman": "NRP",
    "nation_plural": "NRP",
    "prefix": "TITLE",
    "prefix_male": "TITLE",
    "prefix_female": "TITLE",
    "job": "TITLE",
    "age": "AGE",
    "us_driver_license": "US_DRIVER_LICENSE",
}
# Templates holding a value of a Proctor type other than PERSON_NAME are drawn this many times as often as the rest, so
# the structured types get enough samples; the rest stay in as text that must produce no finding of those types.
STRUCTURED_WEIGHT = 4


def placeholders(template: str) -> list[str]:
    """The placeholders of a template (written {{name}} or <name>; the faker lower-cases them)."""
    return [(a or b).lower() for a, b in re.findall(r"{{(.*?)}}|<(.*?)>", template)]


def label(placeholder: str, us_ssn: bool) -> str:
    if placeholder == "ssn" and not us_ssn:
        return LABELS_WITHOUT_COUNTERPART["ssn"]
    if placeholder in PLACEHOLDER_TYPES:
        return PLACEHOLDER_TYPES[placeholder]
    if placeholder in LABELS_WITHOUT_COUNTERPART:
        return LABELS_WITHOUT_COUNTERPART[placeholder]
    raise SystemExit(f"generate: placeholder {placeholder!r} has no mapping; add it to PLACEHOLDER_TYPES or LABELS")


def fallback_provider(missing: list[str], seed: int) -> type[BaseProvider]:
    """Fills the placeholders a locale's faker has no provider for (US address parts) from en_US, seeded."""
    en = Faker("en_US")
    en.seed_instance(seed)
    methods = {name: (lambda self, _n=name: str(getattr(en, _n)())) for name in missing}
    return type("EnUsFallbackProvider", (BaseProvider,), methods)


class FixedClockProvider(BaseProvider):
    """Faker's dates are relative to today; these are relative to a fixed day, so a seed gives the same set any day."""

    START = datetime(1970, 1, 1)
    END = datetime(2025, 1, 1)

    def date_time(self) -> datetime:
        return self.generator.date_time_between(start_date=self.START, end_date=self.END)

    def date_of_birth(self) -> date:
        return self.generator.date_between(start_date=date(1910, 1, 1), end_date=date(2024, 12, 31))

    def year(self) -> str:
        return self.date_time().strftime("%Y")

    def day_of_week(self) -> str:
        return self.generator.date_between(start_date=self.START, end_date=self.END).strftime("%A")


class UnreservedEmailProvider(BaseProvider):
    """Faker's email() defaults to the reserved example.com/.net/.org domains, which Proctor skips by design as sample
    data (docs/classification.md); real traffic carries mailbox and company domains, as email(safe=False) writes."""

    def email(self) -> str:
        return self.generator.free_email() if self.generator.random.random() < 0.5 else self.generator.company_email()


def templates() -> list[str]:
    """The evaluator's templates, one a line, with their written `\\n` turned into the line breaks they stand for."""
    lines = presidio_templates_file_path.read_text().splitlines()
    return [line.strip().replace("\\n", "\n") for line in lines if line.strip()]


def weighted(all_templates: list[str]) -> list[int]:
    """Indices into all_templates, each repeated by its weight (the faker draws uniformly from its list)."""
    out: list[int] = []
    for i, t in enumerate(all_templates):
        structured = any(PLACEHOLDER_TYPES.get(p, "PERSON_NAME") != "PERSON_NAME" for p in placeholders(t))
        out.extend([i] * (STRUCTURED_WEIGHT if structured else 1))
    return out


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def generate(locale: str, seed: int, count: int) -> list[dict]:
    all_templates = templates()
    order = weighted(all_templates)
    if locale == "en_US":
        # The tool as shipped: its FakeNameGenerator person records and its US/UK/CH phone and address formats.
        providers, records = EVALUATOR_PROVIDERS, None
    else:
        # The locale's own Faker providers for names, phones and addresses (no shared records).
        own = (PhoneNumberProviderNew, AddressProviderNew)
        providers = [p for p in EVALUATOR_PROVIDERS if p not in own]
        records = [{}]
    providers = [*providers, FixedClockProvider, UnreservedEmailProvider]
    probe = Faker(locale)
    us_ssn = probe.ssn.__func__.__module__ in ("faker.providers.ssn.en_US", "faker.providers.ssn")
    for provider in providers:
        probe.add_provider(provider)
    aliases = {"person", "credit_card", "birthday"}  # the faker's own aliases of name, card number, birth date
    needed = sorted({p for t in all_templates for p in placeholders(t)})
    missing = [p for p in needed if p not in aliases and not hasattr(probe, p)]
    if missing:
        providers = [*providers, fallback_provider(missing, seed)]
    with contextlib.redirect_stdout(io.StringIO()):
        faker = PresidioSentenceFaker(
            locale=locale,
            lower_case_ratio=0.05,
            sentence_templates=[all_templates[i] for i in order],
            entity_providers=providers,
            base_records=records,
            entity_type_mapping={p: p for p in needed},  # keep the placeholder; label() maps it
            random_seed=seed,
        )
        samples = faker.generate_new_fake_sentences(num_samples=count)
    out = []
    for n, sample in enumerate(samples):
        text = sample.full_text
        spans = []
        for span in sorted(sample.spans, key=lambda s: s.start_position):
            value = text[span.start_position : span.end_position]
            if value.lower() != str(span.entity_value).lower():
                raise SystemExit(f"generate: span text mismatch in {locale} sample {n}: {value!r}")
            if not value.strip():
                continue  # a gendered placeholder the record left empty
            spans.append(
                {
                    "type": label(span.entity_type, us_ssn),
                    "start": utf16(text, span.start_position),
                    "end": utf16(text, span.end_position),
                    "source": span.entity_type,
                }
            )
        out.append(
            {
                "id": f"{locale}-{seed}-{n}",
                "locale": locale,
                "template": order[sample.template_id],
                "text": text,
                "spans": spans,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--per-locale", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--locales", default=",".join(LOCALES))
    parser.add_argument("--exclude", help="a JSONL set whose texts are left out (the test half leaves out the dev's)")
    args = parser.parse_args()
    seen: set[str] = set()
    if args.exclude:
        with open(args.exclude, encoding="utf-8") as f:
            seen = {json.loads(line)["text"] for line in f if line.strip()}
    rows: list[dict] = []
    for i, locale in enumerate(args.locales.split(",")):
        random.seed(args.seed * 100 + i)
        rows.extend(r for r in generate(locale, args.seed * 100 + i, args.per_locale) if r["text"] not in seen)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"generate: {len(rows)} samples, {sum(len(r['spans']) for r in rows)} spans -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
