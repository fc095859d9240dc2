import json

import pytest

from supercp.protocol import framing


def test_encode_is_one_line_even_with_newlines_in_strings():
    line = framing.encode({"text": "a\nb\r\nc", "é": "ü"})
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert json.loads(line) == {"text": "a\nb\r\nc", "é": "ü"}


def test_encode_never_emits_nan_which_is_not_json():
    assert framing.encode({"x": float("nan"), "y": float("inf")}) == b'{"x":null,"y":null}\n'


def test_splitter_reassembles_lines_across_chunks():
    s = framing.LineSplitter()
    assert s.feed(b'{"a":') == []
    assert s.pending
    assert s.feed(b'1}\n{"b":2}\n{"c"') == [b'{"a":1}', b'{"b":2}']
    assert s.feed(b":3}\n") == [b'{"c":3}']
    assert not s.pending


def test_splitter_accepts_a_line_of_exactly_the_limit():
    s = framing.LineSplitter(limit=10)
    assert s.feed(b"x" * 10 + b"\n") == [b"x" * 10]


def test_splitter_refuses_a_complete_line_over_the_limit():
    s = framing.LineSplitter(limit=10)
    with pytest.raises(OverflowError):
        s.feed(b"x" * 11 + b"\n")


def test_splitter_refuses_a_partial_line_over_the_limit():
    s = framing.LineSplitter(limit=10)
    s.feed(b"x" * 8)
    with pytest.raises(OverflowError):
        s.feed(b"x" * 3)
