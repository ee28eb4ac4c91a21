"""The plugin's fixtures: ``kata`` (the one way checks reach learner code) and
``device`` (parametrized by ``pytest_generate_tests``)."""

from __future__ import annotations

from typing import Iterator

import pytest

from pytest_torchkata.kata import KataFixture
from pytest_torchkata.model import MARKER
from pytest_torchkata.plugin.session import SESSION_KEY, KataSession


@pytest.fixture
def kata(request: pytest.FixtureRequest) -> Iterator[KataFixture]:
    """Access to the learner's kata file: ``kata.call(name, *args)`` and
    ``kata.run(helper, *args)``, both returning plain data (its type:
    ``pytest_torchkata.kata.KataFixture``)."""
    from pytest_torchkata.checks.errors import LearnerCrashed
    from pytest_torchkata.checks.hints import MISSING_FILE_HINT
    from pytest_torchkata.i18n import tr
    from pytest_torchkata.plugin.access import KataAccess, derive_seed
    from pytest_torchkata.sandbox.guards import seed_everything

    ks: KataSession | None = request.config.stash.get(SESSION_KEY, None)
    marker = request.node.get_closest_marker(MARKER)
    if ks is None or marker is None:
        pytest.skip("the kata fixture works only in checks graded with --kata")  # authors only
    kata_obj = ks.registry.get(marker.args[0])
    task = kata_obj.get_task(marker.args[1])
    source = ks.source_for(kata_obj)
    if source.problem is not None:  # a notebook that cannot be graded
        raise source.failure()
    path = source.path
    if not path.is_file():
        missing = LearnerCrashed(
            tr("there is no learner file {path}", "没有学习者文件 {path}", path=path), hint=str(MISSING_FILE_HINT),
            advice=tr("get a fresh one with `torchkata reset {kata} --kata-dir {dir}`",
                      "用 `torchkata reset {kata} --kata-dir {dir}` 取回一份新的", kata=kata_obj.name, dir=path.parent))
        missing.load_failure = True  # said once per kata, like a file that cannot be loaded
        raise missing
    seed = derive_seed(ks.settings.seed, request.node.nodeid)
    seed_everything(seed)  # the check's own random inputs
    access = KataAccess(backend=ks.backend, kata=kata_obj, task=task, path=path, seed=seed,
                        secret=ks.settings.seed, check=request.node.nodeid,
                        timeout=ks.settings.timeout_for(task.timeout),
                        # -s in-process: a breakpoint() in learner code really stops there
                        debug=request.config.getoption("capture") == "no" and not ks.settings.isolate,
                        data_dir=str(ks.settings.data_dir), cite=source.cite)
    yield access
    ks.breakpoints.extend(access.breakpoints)
    if access.records:
        ks.data.setdefault(kata_obj.name, {}).setdefault(task.id, {}).update(access.records)


@pytest.fixture
def device(request: pytest.FixtureRequest) -> str:
    """The device a check runs on: 'cpu', and 'cuda' where there is one."""
    return getattr(request, "param", "cpu")
