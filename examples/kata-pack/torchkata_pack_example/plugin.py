"""The pack's plugin (entry point ``pytest11``): it registers the pack's katas, in the
order a learner takes them, by the dotted name of each kata's ``tasks`` module."""

import pytest


@pytest.hookimpl
def pytest_torchkata_register_katas(register):
    register("torchkata_pack_example.norms.tasks")
