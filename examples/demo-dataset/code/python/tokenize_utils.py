#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Copyright 2024 The Harbour Tools authors
"""Small text helpers used before the forum and wiki text is tokenised."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")


def normalise(text: str) -> str:
    """NFC-normalise, replace URLs with a placeholder and collapse runs of whitespace."""
    text = unicodedata.normalize("NFC", text)
    text = _URL.sub("<url>", text)
    return _SPACE.sub(" ", text).strip()


def sentences(text: str) -> list:
    """Split on sentence-final punctuation followed by a capital letter; good enough for forum posts."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", normalise(text))
    return [p for p in parts if p]


if __name__ == "__main__":
    import sys

    for line in sys.stdin:
        for sentence in sentences(line):
            print(sentence)
