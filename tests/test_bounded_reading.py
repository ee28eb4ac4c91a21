"""What the grader reads from the learner's side is bounded before it is parsed.

The learner's side controls every byte of its answers.  Hostile messages (too
large, too many values, buffers or levels, a shape that claims more than its
data, a huge type name) are refused or cut before they can cost the grader
memory or time: the task gets a clear error, the grader and the other tasks
carry on.  Unit tests on the wire first, then the grader's wording, then whole
isolated runs at every sandbox level.
"""

from __future__ import annotations

import io
import json
import os
import time
import tracemalloc
import uuid
from pathlib import Path

import pytest
import torch

from pytest_torchkata.sandbox import bounds, wire

MiB = 2**20


def frame(tree, buffers=()):
    """The bytes ``wire.send`` writes for ``tree`` (an encoded tree, or JSON text given as
    ``Raw``) and ``buffers`` as given: what a learner writing the wire's format by hand sends."""
    hole = "\u0000tree\u0000"
    text = tree.text if isinstance(tree, Raw) else json.dumps(tree)
    real, hole_json = json.dumps, json.dumps(hole)

    def dumps(obj, *args, **kwargs):
        return real(obj, *args, **kwargs).replace(hole_json, text)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wire, "encode", lambda message: (hole, list(buffers)))
        mp.setattr(wire.json, "dumps", dumps)
        out = io.BytesIO()
        wire.send(out, None)
    return out.getvalue()


class Raw:
    def __init__(self, text: str) -> None:
        self.text = text


def answer(value):
    """An answer's tree holding ``value`` (already encoded)."""
    if isinstance(value, Raw):
        return Raw('{"__dict__": [["value", ' + value.text + "]]}")
    return {"__dict__": [["value", value]]}


def peak_while(fn):
    """(what ``fn()`` raised or returned, the peak bytes Python allocated meanwhile)."""
    tracemalloc.start()
    try:
        try:
            got = fn()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            got = exc
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def tensor(index, shape=(1,), dtype="float32"):
    return {"__tensor__": index, "dtype": dtype, "shape": list(shape), "device": "cpu", "requires_grad": False}


# -- the wire: hostile frames ------------------------------------------------------------

# each holds more values than MAX_ITEMS, in few bytes per value: each value would
# become a Python object (or two: the JSON's and the decoded one)
N = 1_000_000
MANY = {
    "small ints": lambda: [1] * N,
    "empty lists": lambda: [[] for _ in range(N)],
    "tagged dicts": lambda: [{"__opaque__": "x"}] * N,
    "dict keys": lambda: {"__dict__": [[f"k{i}", 1] for i in range(N // 2)]},
    "tuples": lambda: [{"__tuple__": []}] * N,
}


@pytest.mark.parametrize("shape", list(MANY))
def test_a_message_with_too_many_values_is_refused_before_it_is_parsed(shape):
    data = frame(answer(MANY[shape]()))
    got, peak = peak_while(lambda: wire.decode_frame(data))
    assert isinstance(got, bounds.Refused) and got.reason == "items", got
    assert peak < 1.2 * len(data) + MiB, f"{peak / MiB:.0f} MiB allocated reading {len(data) / MiB:.0f} MiB"


def test_a_frame_over_the_size_limit_is_refused_from_its_length_alone():
    data = frame(answer("a" * (80 * MiB)))
    stream = io.BytesIO(data)
    got, peak = peak_while(lambda: wire.recv(stream))
    assert isinstance(got, bounds.Refused) and got.reason == "frame", got
    assert stream.tell() < 1024, "it read past the length that broke the limit"
    assert peak < MiB


def test_a_large_string_under_the_limit_costs_a_small_multiple_of_its_size_and_is_cut():
    data = frame(answer("a" * (60 * MiB)))
    got, peak = peak_while(lambda: wire.decode_frame(data))
    assert got["value"] == "a" * (bounds.MAX_STRING - 1) + "…"
    assert peak < 2.2 * len(data)


def test_buffers_count_toward_the_size_limit():
    data = frame(answer([tensor(i, (8 * MiB,), "uint8") for i in range(9)]), [bytes(8 * MiB)] * 9)
    stream = io.BytesIO(data)
    with pytest.raises(bounds.Refused) as refused:
        wire.recv(stream)
    assert refused.value.reason == "frame" and stream.tell() < 65 * MiB


def test_a_message_with_too_many_tensors_is_refused_from_its_count_alone():
    count = 100_000
    data = frame(answer([tensor(i) for i in range(count)]), [bytes(4)] * count)
    stream = io.BytesIO(data)
    got, peak = peak_while(lambda: wire.recv(stream))
    assert isinstance(got, bounds.Refused) and got.reason == "buffers", got
    assert stream.tell() < 1024 and peak < MiB


def test_one_buffer_behind_many_tensors_is_refused_not_copied_for_each():
    data = frame(answer([tensor(0, (MiB,), "uint8")] * 1000), [bytes(MiB)])
    got, peak = peak_while(lambda: wire.decode_frame(data))
    assert isinstance(got, bounds.Refused), got
    assert peak < 4 * len(data)


@pytest.mark.parametrize("depth", [bounds.MAX_DEPTH + 5, 100_000])
def test_a_tree_nested_deeper_than_the_limit_is_refused(depth):
    data = frame(answer(Raw("[" * depth + "]" * depth)))
    with pytest.raises(bounds.Refused):
        wire.decode_frame(data)


def test_the_deepest_tree_the_learner_side_sends_is_read():
    value = []
    for _ in range(bounds.MAX_DEPTH + 10):
        value = [value]
    got = wire.decode_frame(wire.frame_of({"value": value}))["value"]
    for _ in range(bounds.MAX_DEPTH - 1):
        got = got[0]
    assert got == [wire.Opaque("deeply nested data")]


HOSTILE_TENSORS = {
    "shape claims more than its data": (tensor(0, (2**32, 2**32)), [b""]),
    "shape overflows": (tensor(0, (2**62, 2**62, 4)), [b""]),
    "negative sizes": (tensor(0, (-2, -2)), [bytes(16)]),
    "too many sizes": (tensor(0, (1,) * 1000), [bytes(4)]),
    "meta tensor of an absurd shape": (tensor(None, (2**47,) * 64), []),
    "unknown dtype": (tensor(0, (1,), "x" * (6 * MiB)), [bytes(4)]),
    "device string of 6 MB": ({**tensor(0), "device": "cuda:" + "9" * (6 * MiB)}, [bytes(4)]),
    "buffer index out of range": (tensor(7), [bytes(4)]),
    "array of a structured dtype": ({"__ndarray__": 0, "dtype": "(1000000000,)f8", "shape": [1]}, [bytes(8)]),
    "array dtype of 6 MB": ({"__ndarray__": 0, "dtype": "<f8" + " " * (6 * MiB), "shape": [1]}, [bytes(8)]),
    "array shape claims more than its data": ({"__ndarray__": 0, "dtype": "<f8", "shape": [2**40]}, [bytes(8)]),
    "float that is not one": ({"__float__": "1" * (6 * MiB)}, []),
}


@pytest.mark.parametrize("case", list(HOSTILE_TENSORS))
def test_a_header_that_does_not_match_its_data_is_refused_without_allocating_what_it_claims(case):
    tree, buffers = HOSTILE_TENSORS[case]
    data = frame(answer(tree), buffers)
    got, peak = peak_while(lambda: wire.decode_frame(data))
    assert isinstance(got, bounds.Refused), got
    assert peak < 3 * len(data) + MiB


def test_long_type_names_and_strings_are_cut_on_reading():
    got = wire.decode_frame(frame(answer([{"__opaque__": "T" * (6 * MiB)}, "s" * (6 * MiB),
                                          {"__dict__": [[[["k"] * 100_000], 1]]}])))["value"]
    opaque, text, keyed = got
    assert len(opaque.type_name) == bounds.MAX_NAME and opaque.type_name.endswith("…")
    assert len(text) == bounds.MAX_STRING
    assert [len(k) for k in keyed] == [bounds.MAX_NAME]


@pytest.mark.parametrize("body", [[1, 2], "text", {"__dict__": [["error", "not a dict"]]},
                                  {"__dict__": [["error", {"__dict__": [["kind", [1]]]}]]}])
def test_a_message_that_is_not_an_answer_is_refused(body):
    with pytest.raises(bounds.Refused):
        wire.decode_frame(frame(body))


def test_the_relaying_reader_refuses_an_oversized_frame_from_its_length():
    r, w = os.pipe()
    try:
        reader = wire.FrameReader(r)
        os.write(w, frame(answer("a")))
        assert wire.decode_frame(reader.frame())["value"] == "a"
        os.write(w, frame(answer("a" * (100 * MiB)))[:32])  # the start of a 100 MiB frame
        with pytest.raises(bounds.Refused):
            reader.frame(deadline=time.monotonic() + 2)
    finally:
        os.close(r)
        os.close(w)


def test_honest_answers_cross_unchanged():
    value = {"out": torch.arange(6.0).reshape(2, 3), "names": ["weight", "bias"], "loss": [0.5] * 10_000,
             "meta": torch.empty(2, 3, device="meta"), "dtype": torch.float16, "nested": ((1, 2), {"a": None})}
    got = wire.decode_frame(wire.frame_of({"value": value}))["value"]
    assert torch.equal(got["out"], value["out"])
    assert got["names"] == value["names"] and got["loss"] == value["loss"]
    assert got["meta"].shape == (2, 3) and got["dtype"] is torch.float16 and got["nested"] == value["nested"]
    got["out"].add_(1)  # each tensor its own writable memory
    assert torch.equal(got["out"], torch.arange(6.0).reshape(2, 3) + 1)


# -- the grader's reading of an error answer ---------------------------------------------------

def access_answering(answer_dict):
    """The ``kata`` object of tensors' first task, over a backend that answers ``answer_dict``."""
    from pytest_torchkata.model import Registry
    from pytest_torchkata.plugin.access import KataAccess

    class Backend:
        def request(self, message, timeout):
            return answer_dict

        def close(self):
            pass

    registry = Registry()
    registry.register("pytest_torchkata.katas.tensors.tasks")
    kata = registry.get("tensors")
    return KataAccess(backend=Backend(), kata=kata, task=kata.tasks[0], path=Path("tensors.py"), seed=0,
                      timeout=None)


BIG = 6 * MiB
ERRORS = {
    "raised": {"kind": "raised", "type": "E" * BIG, "message": "m" * BIG, "where": "w" * BIG,
               "function": "f" * BIG},
    "not_started": {"kind": "not_started", "message": "Task 9 (x): " + "m" * BIG, "function": "f" * BIG,
                    "caller": "c" * BIG, "where": "w" * BIG, "call_where": "w" * BIG},
    "crash": {"kind": "crash", "message": "m" * BIG, "where": "w" * BIG},
    "load_failed": {"kind": "load_failed", "load_failure": True, "file": "f" * BIG, "type": "T" * BIG,
                    "message": "m" * BIG},
    "missing": {"kind": "missing", "target": "t" * BIG, "file": "f" * BIG, "message": "m" * BIG},
    "forbidden": {"kind": "forbidden", "api": "torch." + "x" * BIG, "where": "w" * BIG},
    "crash (signal)": {"kind": "crash", "signal": "S" * BIG, "output": "o" * BIG, "message": "m" * BIG},
    "timeout": {"kind": "timeout", "seconds": 1.0, "load_failure": True, "file": "f" * BIG, "message": "m" * BIG},
    "unknown kind": {"kind": "k" * BIG, "message": "m" * BIG, "type": ["T"] * 100_000},
}


@pytest.mark.parametrize("kind", list(ERRORS))
def test_every_text_of_an_error_answer_is_cut_to_size(kind):
    from pytest_torchkata.checks.errors import KataOutcome

    with pytest.raises(KataOutcome) as raised:
        access_answering({"error": ERRORS[kind]}).call("softmax")
    outcome = raised.value
    assert len(outcome.message) < 3 * bounds.MAX_TEXT, len(outcome.message)
    assert len(outcome.where) <= bounds.MAX_TEXT and len(outcome.hint) < bounds.MAX_TEXT


def test_a_type_name_is_cut_to_a_name_with_a_mark():
    from pytest_torchkata.checks.errors import LearnerError

    with pytest.raises(LearnerError) as raised:
        access_answering({"error": ERRORS["raised"]}).call("softmax")
    assert "E" * (bounds.MAX_NAME - 1) + "…:" in raised.value.message
    assert "E" * bounds.MAX_NAME not in raised.value.message


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_answer_is_that_task_s_error_in_the_learner_s_language(lang):
    from pytest_torchkata.checks.errors import LearnerCrashed
    from pytest_torchkata.i18n import language, set_language

    before = language()
    set_language(lang)
    try:
        with pytest.raises(LearnerCrashed) as raised:
            access_answering({"error": bounds.Refused("items", bounds.MAX_ITEMS).error()}).call("softmax")
    finally:
        set_language(before)
    words = {"en": f"more than {bounds.MAX_ITEMS} values", "zh": f"超过 {bounds.MAX_ITEMS} 个值"}
    assert words[lang] in raised.value.message and "`softmax`" in raised.value.message
    assert raised.value.hint


@pytest.mark.parametrize("bad", [{"error": "text"}, {"error": ["list"]}, {"value": 1, "torch_calls": "many",
                                                                            "breakpoints": "x" * BIG}])
def test_an_answer_of_the_wrong_shape_costs_only_its_check(bad):
    from pytest_torchkata.checks.errors import KataOutcome

    access = access_answering(bad)
    try:
        access.call("softmax")
    except KataOutcome:
        pass
    assert access.torch_calls == 0 and sum(map(len, access.breakpoints)) < bounds.MAX_TEXT


def test_in_process_answers_are_read_within_the_same_limits(tmp_path):
    from pytest_torchkata.sandbox.inprocess import InProcessBackend

    learner = tmp_path / "hostile.py"
    learner.write_text("def many(x):\n    return [0] * 1_000_000\n\n\ndef honest(x):\n    return x * 2\n\n\n"
                       "def huge_int(x):\n    return 10 ** 5000\n")
    backend = InProcessBackend()

    def request(target):
        return backend.request({"op": "call", "path": str(learner), "target": target, "args": [torch.ones(2)],
                                "kwargs": {}, "task": "k:t", "seed": 0, "forbid": [], "timeout": None,
                                "debug": False}, None)

    try:
        assert request("many")["error"]["refused"] == "items"
        assert "could not be sent back" in request("huge_int")["error"]["message"]  # as a worker's child says
        assert torch.equal(request("honest")["value"], torch.full((2,), 2.0))
    finally:
        backend.close()


# -- whole isolated runs: hostile answers cost only their task -----------------------------------

LEARNER = '''
import struct

import torch


def honest(x):
    return x * 2


def type_name(x):
    raise type("E" * 6_000_000, (Exception,), {})("boom")


def _send_by_hand(body):
    """From now on this process answers with ``body`` in the grader's own frame format."""
    import ctypes

    from pytest_torchkata.sandbox import wire

    ctypes.CDLL(None).prctl(15, b"TOKEN", 0, 0, 0)  # the test looks for it once the run is over

    if hasattr(wire, "frame_of"):  # head length, buffer count, JSON head
        data = struct.pack("<QQ", len(body), 0) + body
    else:  # the format before reading was bounded
        head = b'{"body": ' + body + b', "buffers": 0}'
        data = struct.pack("<Q", len(head)) + head

    def send(stream, message):
        stream.write(data)
        stream.flush()

    wire.send = send


def small_items(x):  # 60 MB of empty lists: under the size limit, one Python object each
    _send_by_hand(b'{"__dict__": [["value", [' + b"[]," * 20_000_000 + b'[]]]]}')


def huge_frame(x):  # 80 MB
    _send_by_hand(b'{"__dict__": [["value", "' + b"a" * 80_000_000 + b'"]]}')


def many_tensors(x):
    return [torch.zeros(1) for _ in range(100_000)]


def later_honest(x):
    return x * 2
'''

TASKS = ["honest", "type_name", "small_items", "huge_frame", "many_tensors", "later_honest"]

CHECKS = '''
import torch
from pytest_torchkata.checks.values import expect_close
from pytest_torchkata.model import Kata

KATA = Kata("hostile", "Hostile answers", "each task answers the grader with something hostile")
''' + "".join(f'''

@KATA.task({name!r}, {name!r}, points=1, hint="multiply by 2")
class Test{name.title().replace("_", "")}:
    def test_doubles(self, kata):
        expect_close(kata.call({name!r}, torch.ones(2)), torch.full((2,), 2.0), what="x * 2")
''' for name in TASKS)

PLUGIN = '''
import pytest

import checks_hostile

START = []


def kb(field):  # VmHWM: the peak of ru_maxrss, for this process alone (not what it inherited)
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])


@pytest.hookimpl
def pytest_torchkata_register_katas(register):
    register(checks_hostile.KATA)


def pytest_configure(config):
    START.append(kb("VmHWM"))


def pytest_unconfigure(config):
    open("grader_kb.txt", "w").write(f"{START[0]} {kb('VmHWM')}")
'''


@pytest.mark.parametrize("level", ["bwrap", "user", "none"])
def test_hostile_answers_cost_only_their_task_and_the_report_is_written(pytester, level):
    from pytest_torchkata.sandbox import levels

    if levels.problem(level):
        pytest.skip(f"--kata-sandbox {level} cannot work here: {levels.problem(level)}")
    pytester.makepyfile(checks_hostile=CHECKS, hostile_plugin=PLUGIN)
    (pytester.path / "katas").mkdir()
    token = "tk" + uuid.uuid4().hex[:12]
    (pytester.path / "katas" / "hostile.py").write_text(LEARNER.replace("TOKEN", token))
    report = pytester.path / "report.json"
    result = pytester.runpytest_subprocess(
        "--kata=hostile", f"--kata-report={report}", "-p", "no:cacheprovider", "-p", "hostile_plugin",
        "--kata-isolate", f"--kata-sandbox={level}", "--kata-memory=700", "--kata-timeout=30", timeout=400)
    assert report.is_file(), result.stdout.str()[-3000:]
    assert report.stat().st_size < 200_000, "the report grew with what the learner wrote"
    tasks = {t["id"]: t for k in json.loads(report.read_text())["katas"] for t in k["tasks"]}
    messages = {name: tasks[name]["message"] for name in TASKS}
    assert tasks["honest"]["status"] == tasks["later_honest"]["status"] == "passed", messages
    assert all(tasks[name]["score"] == 0 for name in TASKS[1:-1]), messages
    assert "raised " + "E" * (bounds.MAX_NAME - 1) + "…: boom" in messages["type_name"]
    assert f"more than {bounds.MAX_ITEMS} values" in messages["small_items"]
    assert f"more than {bounds.MAX_FRAME >> 20} MiB" in messages["huge_frame"]
    assert f"more than {bounds.MAX_BUFFERS} tensors" in messages["many_tensors"]
    start, peak = (int(kb) / 1024 for kb in (pytester.path / "grader_kb.txt").read_text().split())
    grown_mb = peak - start  # before: 3,281 MB of growth, and the task timed out
    assert grown_mb < 500, f"the grading process grew by {grown_mb:.0f} MB"
    assert not _alive_named(token), "a process that sent a refused answer outlived the run"


def _alive_named(token: str, wait_s: float = 5.0) -> list:
    """Live processes named ``token`` (a zombie holds nothing and runs nothing: it is only
    waiting for whoever adopted it to reap it), once they had ``wait_s`` to go."""
    import time

    from pytest_torchkata.sandbox.limits import is_gone

    end = time.monotonic() + wait_s
    while True:
        found = [int(p.parent.name) for p in Path("/proc").glob("[0-9]*/comm") if _comm(p) == token]
        found = [pid for pid in found if not is_gone(pid)]
        if not found or time.monotonic() > end:
            return found
        time.sleep(0.1)


def _comm(path):
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def test_only_the_end_of_a_worker_s_log_is_read(tmp_path):
    """A worker's log (its learner processes' stderr) may be as large as the file-size limit."""
    from types import SimpleNamespace

    from pytest_torchkata.sandbox.worker import Worker

    with open(tmp_path / "log", "w+b") as log:
        log.write(b"x" * (64 * MiB) + b"\nthe last words")
        tail, peak = peak_while(lambda: Worker.output_tail(SimpleNamespace(log=log)))
    assert tail.endswith("the last words") and len(tail) < 400
    assert peak < MiB
