"""pytest plugin: marks the acceptance scenarios listed in acceptance_xfail.txt as
expected to fail (strict: one that starts passing must be removed from the list).
Each line: `<test name> <issue that will make it pass>`. The list only shrinks."""

import pathlib

import pytest

_LIST = pathlib.Path(__file__).with_name("acceptance_xfail.txt")


def _expected_failures():
    out = {}
    for line in _LIST.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, issue = line.partition(" ")
            out[name] = issue.strip()
    return out


def pytest_collection_modifyitems(config, items):
    expected = _expected_failures()
    for item in items:
        if "acceptance" not in str(item.path.parent):
            continue
        issue = expected.get(item.name)
        if issue:
            item.add_marker(pytest.mark.xfail(reason=f"needs {issue}", strict=True))
