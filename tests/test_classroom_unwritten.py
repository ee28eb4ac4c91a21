"""A written task that calls another task's function that is still a stub is told so,
and is failed rather than not started (issue: gd_step calling an unwritten mse)."""

import pytest
from kata_testing import mutate

MSE_STUB = ('''    if pred.shape != target.shape:
        raise ValueError(f"mse: pred has shape {tuple(pred.shape)} but target has {tuple(target.shape)}")
    return ((pred - target) ** 2).mean()''',
            '''    raise NotImplementedError("Task 2 (Mean squared error that refuses mismatched shapes): not written yet")''')


@pytest.mark.parametrize("isolate", [False, True], ids=["in-process", "isolated"])
def test_gd_step_calling_an_unwritten_mse_says_so(grade, isolate):
    learner = mutate("linear_regression", MSE_STUB)
    graded = grade("linear_regression", learner, *(["--kata-isolate"] if isolate else []),
                   "-k", "TestMse or TestGdStep")
    assert graded.status("mse") == "not_started"
    assert graded.status("gd_step") == "failed"
    assert "`gd_step` calls `mse` (task 2), which is not written yet" in graded.message("gd_step")
    assert "(gd_step): loss = mse(w * x + b, y)" in graded.message("gd_step")  # the calling line
    assert "`gd_step` calls `mse` (task 2)" in graded.output  # the terminal summary too


def test_a_stub_called_directly_is_still_not_started(grade):
    graded = grade("linear_regression", None, "-k", "TestGdStep")
    assert graded.status("gd_step") == "not_started"
