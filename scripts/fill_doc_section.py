#!/usr/bin/env python3
"""Replaces what lies between two marker lines of a document with a file's text.

The results scripts write their measured tables into the docs this way, so a
rerun replaces the previous numbers and leaves the prose around them alone.
  python3 scripts/fill_doc_section.py RESULTS.md DOC.md MARKER
fills between "<!-- MARKER -->" and "<!-- /MARKER -->".
"""
import sys

results_file, doc_file, marker = sys.argv[1:4]
results = open(results_file).read()
doc = open(doc_file).read()
start, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
if start not in doc or end not in doc:
    sys.exit(f"{doc_file}: the markers {start} and {end} are missing")
i, j = doc.index(start) + len(start), doc.index(end)
open(doc_file, "w").write(doc[:i] + "\n" + results + "\n" + doc[j:])
