"""The same submission gets the same report on repeated runs (seeded, one thread)."""

from kata_testing import mutate


def without_timings(value):
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def test_repeated_runs_give_identical_reports(grade):
    # fit's step losses depend on every seed and on the data order: a strict probe
    first = grade("training", solution=True)
    second = grade("training", solution=True)
    assert first.full_marks
    assert without_timings(first.report) == without_timings(second.report)


def test_a_mistaken_submission_gets_the_same_messages_each_time(grade):
    learner = mutate("tensors", ("return x.permute(0, 2, 3, 1)", "return x.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1])"))
    first, second = grade("tensors", learner), grade("tensors", learner)
    assert first.status("reshape") == "failed"
    assert without_timings(first.report) == without_timings(second.report)
