"""The batch body reader splits a streamed body into lines without buffering more than one line."""

from __future__ import annotations

import asyncio

from trustsvc.api.routes_verify import _lines


class _FakeRequest:
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def stream(self):
        for c in self._chunks:
            yield c


def _collect(chunks: list[bytes], max_line: int = 10) -> list[bytes | None]:
    async def run():
        return [x async for x in _lines(_FakeRequest(chunks).stream(), max_line)]
    return asyncio.run(run())


def test_lines_split_across_chunks():
    assert _collect([b'{"a"', b':1}\n{"b":2}\n\n', b'{"c":3}']) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']


def test_overlong_line_becomes_one_marker_and_is_skipped():
    assert _collect([b"x" * 8, b"y" * 8, b"z" * 8 + b"\nok\n"]) == [None, b"ok"]


def test_crlf_and_blank_lines():
    assert _collect([b"a\r\n\r\nb\r\n"]) == [b"a\r", b"b\r"]


def test_spool_hands_on_everything_written():
    from trustsvc.api.routes_verify import _Spool

    async def run():
        spool = _Spool()
        await spool.fill(_FakeRequest([b"a" * 100_000, b"b\n", b"c"]).stream())
        return b"".join([c async for c in spool.chunks()])

    assert asyncio.run(run()) == b"a" * 100_000 + b"b\nc"
