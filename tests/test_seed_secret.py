"""The secret ``--kata-seed`` stays secret from learner code.

A learner file returns everything random it can see from inside a request (torch's, NumPy's
and Python's generator states, its argv and environment; the checks keep it in the report)
while it is graded at two secrets.  The old derivation (``seed * 1_000_003 + crc32(parts)`` mod 2**31, applied twice)
could be inverted from one observed seed and the check's id, which then gave every other
check's seed; each seed is now a keyed hash of the secret, so that attack finds nothing.
"""

from __future__ import annotations

import json
import random
import zlib

import numpy as np
import pytest

from pytest_torchkata.plugin.access import derive_seed

SECRETS = (918_273_645_546_372_819, 31_337)

CHECKS = '''
import torch
from pytest_torchkata.model import Kata

KATA = Kata("seeds", "Seeds", "what learner code sees of the seed")


@KATA.task("look", "Look around", points=1, hint="-")
class TestLook:
    def test_once(self, kata):
        kata.record(once_1=kata.call("look"))

    def test_twice(self, kata):
        kata.record(twice_1=kata.call("look"))
        kata.record(twice_2=kata.call("look"))
'''

PLUGIN = '''
import pytest
import checks_seeds

@pytest.hookimpl
def pytest_torchkata_register_katas(register):
    register(checks_seeds.KATA)
'''

LEARNER = '''
import json, os, random, sys
import numpy as np
import torch


def look():
    state = np.random.get_state()
    return json.dumps({"torch": torch.initial_seed(), "numpy": [int(v) for v in state[1][:8]],
                       "random": list(random.getstate()[1][:8]), "argv": sys.argv, "env": dict(os.environ)})
'''


def _old_derive(base: int, *parts: str) -> int:
    return (base * 1_000_003 + zlib.crc32("::".join(parts).encode())) % 2**31


def _old_inversion(observed: int, check: str, call: int) -> int:
    """What a learner computed under the old derivation: the secret (mod 2**31) from the seed of
    its ``call``-th request in ``check``."""
    inverse = pow(1_000_003, -1, 2**31)
    check_seed = (observed - zlib.crc32(str(call).encode())) * inverse % 2**31
    return (check_seed - zlib.crc32(check.encode())) * inverse % 2**31


def _graded(pytester: pytest.Pytester, secret: int, *args: str, env: bool = False) -> list[dict]:
    """What the learner saw in each request, in order, with its check's id and the request's number;
    the secret given with ``--kata-seed``, or with ``env`` in TORCHKATA_SEED (as `torchkata classroom` does)."""
    pytester.makepyfile(checks_seeds=CHECKS, seeds_plugin=PLUGIN)
    pytester.syspathinsert()
    (pytester.path / "katas").mkdir(exist_ok=True)
    (pytester.path / "katas" / "seeds.py").write_text(LEARNER, encoding="utf-8")
    report = pytester.path / "report.json"
    report.unlink(missing_ok=True)
    given = [] if env else [f"--kata-seed={secret}"]
    with pytest.MonkeyPatch.context() as mp:
        if env:
            mp.setenv("TORCHKATA_SEED", str(secret))
        result = pytester.runpytest("--kata=seeds", *given, "-p", "seeds_plugin", f"--kata-report={report}",
                                    "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=2)
    data = json.loads(report.read_text(encoding="utf-8"))["katas"][0]["tasks"][0]["data"]
    assert sorted(data) == ["once_1", "twice_1", "twice_2"]
    return [dict(json.loads(data[key]), check=f"seeds::TestLook::test_{key[:-2]}", call=int(key[-1]))
            for key in sorted(data)]


def test_inverting_the_seed_a_learner_sees_finds_neither_the_secret_nor_another_checks_seed(pytester):
    for secret in SECRETS:
        seen = [(s, s["call"]) for s in _graded(pytester, secret)]
        for s, call in seen:
            assert s["torch"] != _old_derive(_old_derive(secret, s["check"]), str(call))
            guessed = _old_inversion(s["torch"], s["check"], call)
            assert guessed != secret % 2**31
            for other, other_call in seen:  # the attack's use: predict the seeds of other checks
                if other is not s:
                    predicted = _old_derive(_old_derive(guessed, other["check"]), str(other_call))
                    assert predicted != other["torch"]
            # what it sees is the keyed hash of the check and the call: nothing to invert
            assert s["torch"] == derive_seed(secret, s["check"], "learner", str(call))


def test_every_generator_a_learner_reads_holds_only_its_own_requests_seed(pytester):
    for s in _graded(pytester, SECRETS[0]):
        assert s["numpy"] == [int(v) for v in np.random.RandomState(s["torch"] % 2**32).get_state()[1][:8]]
        assert s["random"] == list(random.Random(s["torch"]).getstate()[1][:8])


def test_every_check_and_every_call_gets_its_own_seed_and_each_secret_others(pytester):
    first = [s["torch"] for s in _graded(pytester, SECRETS[0])]
    second = [s["torch"] for s in _graded(pytester, SECRETS[1])]
    assert len(set(first)) == len(first) and len(set(second)) == len(second)
    assert not set(first) & set(second)


@pytest.mark.parametrize("env", [False, True], ids=["argv", "env"])
@pytest.mark.parametrize("sandbox", ["none", "auto"])
def test_an_isolated_learner_sees_the_same_seeds_and_no_trace_of_the_secret(pytester, sandbox, env):
    in_process = _graded(pytester, SECRETS[0])
    isolated = _graded(pytester, SECRETS[0], "--kata-isolate", f"--kata-sandbox={sandbox}", env=env)
    assert [s["torch"] for s in isolated] == [s["torch"] for s in in_process]
    for s in isolated:
        visible = json.dumps([s["argv"], s["env"]])
        assert str(SECRETS[0]) not in visible and str(SECRETS[0] % 2**31) not in visible
