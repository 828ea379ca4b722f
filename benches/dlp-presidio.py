#!/usr/bin/env python3
"""Presidio side of benches/dlp-scan.sh: its predefined recognizers for the entities msgpol's
std.classes also detects, over the same labelled corpus, one line per analyze() call.

    dlp-presidio.py CORPUS_DIR

Prints one JSON object: lines, bytes, seconds, and per score threshold the findings as
`line<TAB>class/detector` pairs counted against the labels (true and false positives, misses).

No spaCy model is downloaded (the models live outside PyPI): the NLP engine is a blank English
spaCy pipeline (a tokenizer; no NER, no lemmas). The pattern recognizers used here (credit card,
IBAN, US SSN, email) need no NER; their context words are matched on tokens. The email
recognizer's tldextract uses the public-suffix snapshot shipped in its wheel instead of
fetching the list.
"""
import json
import sys
import time

import spacy
import tldextract.tldextract
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    UsSsnRecognizer,
)

ENTITIES = {
    "CREDIT_CARD": "confidential/payment-card",
    "IBAN_CODE": "confidential/iban",
    "US_SSN": "confidential/us-ssn",
    "EMAIL_ADDRESS": "internal/email-address",
}


class BlankSpacy(SpacyNlpEngine):
    """A spaCy engine on `spacy.blank("en")`: nothing to download."""

    def __init__(self):
        super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])

    def load(self):
        self.nlp = {"en": spacy.blank("en")}


def main():
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.tldextract.TLDExtract(suffix_list_urls=())
    corpus = sys.argv[1]
    lines = open(f"{corpus}/chat.txt", encoding="utf-8").read().split("\n")[:-1]
    labels = set()
    for row in open(f"{corpus}/labels.tsv", encoding="utf-8"):
        number, label = row.rstrip("\n").split("\t")
        if label in ENTITIES.values():
            labels.add((int(number), label))
    registry = RecognizerRegistry()
    for recognizer in (CreditCardRecognizer(), IbanRecognizer(), UsSsnRecognizer(), EmailRecognizer()):
        registry.add_recognizer(recognizer)
    engine = BlankSpacy()
    engine.load()
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
    found = []
    start = time.perf_counter()
    cpu_start = time.process_time()
    for number, text in enumerate(lines, 1):
        for r in analyzer.analyze(text=text, language="en", entities=list(ENTITIES)):
            found.append((number, ENTITIES[r.entity_type], r.score))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    result = {"lines": len(lines), "bytes": sum(len(l.encode()) + 1 for l in lines),
              "seconds": seconds, "cpu_seconds": cpu}
    for threshold in (0.0, 0.5):
        pairs = {(n, label) for n, label, score in found if score >= threshold}
        result[f"threshold {threshold}"] = {
            "true_positives": len(pairs & labels),
            "false_positives": len(pairs - labels),
            "missed": len(labels - pairs),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
