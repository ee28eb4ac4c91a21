"""The limits on what the grader reads from the learner's side, the checks that apply
them before anything is parsed, and their wording.

Everything that crosses from learner code to the grader (``wire``) is read
within these limits, checked before anything is parsed or allocated, so the
grader's memory and time stay bounded whatever a learner writes: a message of
more than ``MAX_FRAME`` bytes, ``MAX_ITEMS`` values, ``MAX_BUFFERS`` tensors or
``MAX_DEPTH`` levels of nesting, or one not in the wire's format, is
``Refused`` (that task's error, never the grader's); a longer string is cut.
Honest answers, the whole curriculum's included, stay far below every limit
(at most 0.5 MB, 2,200 values, 165 tensors, 72 characters a string).
"""

from __future__ import annotations

from typing import Any

from pytest_torchkata.i18n import Text

MAX_DEPTH = 32          # levels of nesting (``wire.encode`` stops there too)
MAX_FRAME = 64 * 2**20  # bytes in one message: its JSON head and every buffer
MAX_ITEMS = 250_000     # values in one message's JSON head
MAX_BUFFERS = 4_096     # tensors and arrays in one message
MAX_NDIM = 64           # sizes in a tensor's shape
MAX_STRING = 10_000     # characters kept of any one string
MAX_NAME = 200          # characters kept of a name: a type, a function, a dict key's repr
MAX_TEXT = 2_000        # characters kept of an error's message, place or other text

# what a refused message broke, for the learner ({limit}: the limit it broke)
REFUSALS = {
    "frame": Text("an answer of more than {limit} MiB", "超过 {limit} MiB 的答案"),
    "items": Text("an answer of more than {limit} values (a tensor counts as one value, however large)",
                  "包含超过 {limit} 个值的答案（一个张量无论多大都只算一个值）"),
    "buffers": Text("an answer holding more than {limit} tensors or arrays",
                    "包含超过 {limit} 个张量或数组的答案"),
    "depth": Text("an answer nested more than {limit} levels deep", "嵌套超过 {limit} 层的答案"),
    "malformed": Text("an answer that is not in the grader's format", "不符合评分程序格式的答案"),
}


class Refused(ValueError):
    """A message from the other side that breaks a limit or the format: not read further.
    ``reason`` is a key of ``REFUSALS``; ``error()`` is the task's error answer."""

    def __init__(self, reason: str, limit: int = 0) -> None:
        self.reason, self.limit = reason, limit
        super().__init__(REFUSALS[reason].en.format(limit=limit))

    def error(self) -> dict:
        """The error answer for the task whose process sent the message, as the wire carries
        it (``answers``; the grader words it in the learner's language: ``plugin.access``)."""
        from pytest_torchkata.sandbox.answers import Failure, Kind

        return Failure(Kind.REFUSED, refused=self.reason, limit=self.limit).to_wire()


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ``…`` marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_lengths(head: int, count: int, max_bytes: int = MAX_FRAME) -> None:
    """A message's head length and buffer count (its first 16 bytes), before anything else is read."""
    if count > MAX_BUFFERS:
        raise Refused("buffers", MAX_BUFFERS)
    if head + count * 8 > max_bytes:  # each buffer has an 8-byte length
        raise Refused("frame", max_bytes >> 20)


def json_text(head: bytes | bytearray) -> str:
    """A message's JSON head as text, when it cannot hold more than MAX_ITEMS values: every
    value but the first follows a comma or opens a container, so this count is an upper bound."""
    if head.count(b",") + head.count(b"[") + head.count(b"{") + 1 > MAX_ITEMS:
        raise Refused("items", MAX_ITEMS)
    try:
        return head.decode()
    except UnicodeDecodeError:
        raise Refused("malformed") from None


def shape(sizes: Any) -> list[int]:
    """A tensor's declared shape: at most MAX_NDIM sizes, none negative (no size is trusted
    to allocate anything: the data must be there already, byte for byte)."""
    if not (isinstance(sizes, list) and len(sizes) <= MAX_NDIM and
            all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**48 for s in sizes)):
        raise Refused("malformed")
    return sizes
