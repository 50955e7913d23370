"""cm-result.json appends: text extension gives exactly the JSON a full rewrite would, and any
valid list (CM's formatting, compact, empty) stays a valid list with the new records at the end."""

from __future__ import annotations

import json

import pytest

from colmind.experiment import records

EXISTING = [
    None,
    "[]",
    "[]\n",
    '[{"uid": "a", "x": 1}]',
    '[\n  {\n    "uid": "a"\n  }\n]\n',
    '  [ {"uid": "a"} ]  \n\n',
]


@pytest.mark.parametrize("existing", EXISTING)
def test_append_keeps_a_valid_list(tmp_path, existing):
    path = tmp_path / "cm-result.json"
    if existing is not None:
        path.write_text(existing)
    before = json.loads(existing) if existing else []
    new = [{"uid": "b", "nested": {"k": [1, "two"]}, "text": "line\nbreak \u00e9"}, {"uid": "c"}]
    records.append_records(str(tmp_path), new)
    assert json.loads(path.read_text()) == before + new


def test_text_append_is_byte_identical_to_a_rewrite(tmp_path):
    recs = [{"uid": str(n), "v": n / 3, "s": "x" * n} for n in range(5)]
    for rec in recs:
        records.append_records(str(tmp_path), [rec])
    assert (tmp_path / "cm-result.json").read_text() == records._dump(recs)


def test_not_a_list_is_an_error(tmp_path):
    (tmp_path / "cm-result.json").write_text('{"not": "a list"}')
    with pytest.raises(Exception, match="must hold a JSON list"):
        records.append_records(str(tmp_path), [{"uid": "b"}])
