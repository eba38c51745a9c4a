#!/usr/bin/env python3
"""Prints the suite's closing line "N passed, N failed" from meson's test log.

A GoogleTest executable counts each of its test cases (read from the JUnit XML that meson asks
it to write); any other test counts once. Skipped cases are listed apart and never counted as
passed.
"""
import json
import pathlib
import sys
import xml.etree.ElementTree as ET


def gtest_counts(xml_path):
    passed = failed = skipped = 0
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build")
    log = build / "meson-logs" / "testlog.json"
    if not log.exists():
        print("0 passed, 1 failed")
        return 1
    passed = failed = skipped = 0
    for line in log.read_text().splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        result = entry.get("result", "")
        short = entry["name"].split(" / ")[-1]
        xml = build / (short + ".xml")  # meson's --gtest_output target
        if xml.exists() and result in ("OK", "FAIL"):
            p, f, s = gtest_counts(xml)
            # A crash after some cases passed leaves no failure in the XML; count it.
            if result == "FAIL" and f == 0:
                f = 1
            passed, failed, skipped = passed + p, failed + f, skipped + s
        elif result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
    if skipped:
        print(f"({skipped} skipped, not counted as passed)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
