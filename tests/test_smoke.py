from conftest import mutate


def test_solution_full_marks(grade):
    g = grade("tensors", solution=True)
    assert g.full_marks, g.output


def test_stub_not_started(grade):
    g = grade("tensors")
    assert set(g.statuses().values()) == {"not_started"}
    assert g.result.ret == 1


def test_forbidden_softmax(grade):
    g = grade("tensors", mutate("tensors", ("    shifted = x - x.amax(dim=dim, keepdim=True)\n    e = shifted.exp()\n    return e / e.sum(dim=dim, keepdim=True)\n", "    return torch.softmax(x, dim)\n")))
    assert g.status("softmax") == "failed"
    assert "torch.softmax" in g.message("softmax")
