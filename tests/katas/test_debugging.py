"""The debugging kata: the reference passes, the stub is not started, each
classic mistake (and each bug of the bug hunt, left unfixed) is caught with a
message that names it, correct alternatives in other styles get full marks, and
a leftover breakpoint neither hangs nor goes unnoticed."""

import time

import pytest
from kata_testing import Case, cases, expect_caught, mutate

KATA = "debugging"

FIRST = "return bad[0] if bad else None"
TEST = "not torch.isfinite(output).all()"
GUARDED = ("    try:\n        with torch.no_grad():\n            model(x)\n    finally:\n"
           "        for handle in handles:\n            handle.remove()\n")
REPORT = "p.grad.norm().item() if p.grad is not None else None)"
ZERO = "    model.zero_grad(set_to_none=True)\n"
ANOMALY = "with torch.autograd.detect_anomaly(check_nan=True):"
MEAN = ("    total = 0.0\n    for x, y in batches:\n        loss = F.mse_loss(model(x), y)\n"
        "        total += loss.item()\n    return total / len(batches)\n")
STEP = "        loss.backward()\n        optimizer.step()\n"

MISTAKES = [
    # first_bad
    Case("the last bad module", "first_bad", ((FIRST, "return bad[-1] if bad else None"),),
         ("the last module whose output is bad", "first hook that fires")),
    Case("NaN-only test misses Inf", "first_bad", ((TEST, "torch.isnan(output).any()"),),
         ("Inf", "torch.isfinite")),
    Case("hooks left registered", "first_bad", (
        ("        for handle in handles:\n            handle.remove()\n", "        pass\n"),),
         ("hooks are still registered", "remove()")),
    Case("hooks left when the forward raises", "first_bad", (
        (GUARDED, "    with torch.no_grad():\n        model(x)\n    for handle in handles:\n        handle.remove()\n"),),
         ("after the model's forward raised", "finally:")),
    Case("hooks only on children()", "first_bad", (
        ("for name, m in model.named_modules() if name]", "for name, m in model.named_children()]"),),
         ("not only children()",)),
    Case("first bad name in declaration order", "first_bad", (
        (FIRST, "return next((n for n, _ in model.named_modules() if n in bad), None)"),),
         ("not the first name in declaration order",)),
    Case("the test the wrong way round", "first_bad", ((TEST, "torch.isfinite(output).all()"),),
         ("the wrong way round",)),
    # grad_report
    Case("the module object instead of its name", "first_bad", ((FIRST, "return dict(model.named_modules())[bad[0]] "
                                                                 "if bad else None"),),
         ("module object 'body.1' itself", "its name")),
    Case("the hook tests its input", "first_bad", ((f"torch.isfinite(output).all()", "torch.isfinite(inputs[0]).all()"),),
         ("not its inputs",)),
    Case("0.0 for a missing gradient", "grad_report", ((REPORT, REPORT.replace("else None", "else 0.0")),),
         ("detach", "not 0.0")),
    Case("stale gradients", "grad_report", ((ZERO, ""),), ("zero_grad", "old gradient")),
    Case("zero_grad(set_to_none=False)", "grad_report", ((ZERO, ZERO.replace("True", "False")),),
         ("set_to_none=False", "expected None")),
    Case("zero_grad after backward", "grad_report", ((ZERO, ""), ("    loss.backward()\n    return {",
                                                                   "    loss.backward()\n" + ZERO + "    return {")),
         ("zero_grad() after backward()",)),
    Case("norm tensors instead of floats", "grad_report", ((REPORT, REPORT.replace(".item()", "")),),
         ("is a tensor", ".item()")),
    Case("the parameter's own norm", "grad_report", ((REPORT, REPORT.replace("p.grad.norm()", "p.norm()")),),
         ("the norm of the parameter itself",)),
    # find_nan
    Case("hard-coded node name", "find_nan", (("return found.group(1)", 'return "SqrtBackward0"'),),
         ("LogBackward0", "hard-code")),
    Case("no anomaly detection", "find_nan", ((ANOMALY, "if True:"),), ("anomaly detection was off",)),
    Case("anomaly detection without its NaN check", "find_nan", ((ANOMALY, ANOMALY.replace("True", "False")),),
         ("check_nan=False",)),
    Case("the whole message instead of the name", "find_nan", (("return found.group(1)", "return found.group(0)"),),
         ("return only the node's name",)),
    Case("anomaly detection left on", "find_nan", (
        (ANOMALY + "\n            fn(x).sum().backward()",
         "torch.autograd.set_detect_anomaly(True)\n        fn(x).sum().backward()"),),
         ("still on",), others_pass=False),
    # mean_loss
    Case("loss tensors added up", "mean_loss", (("total += loss.item()", "total += loss"),),
         ("autograd graph", "loss.item()")),
    Case(".item() only at the end", "mean_loss", (("total += loss.item()", "total += loss"),
                                                  ("return total / len(batches)\n    # END", "return (total / len(batches)).item()\n    # END")),
         ("only at the end",)),
    Case("loss tensors kept in a list", "mean_loss", (
        (MEAN, "    losses = [F.mse_loss(model(x), y) for x, y in batches]\n"
               "    return sum(loss.item() for loss in losses) / len(losses)\n"),),
         ("earlier batches alive",)),
    Case("sum instead of mean", "mean_loss", (("return total / len(batches)\n    # END", "return total\n    # END"),),
         ("divide by len(batches)",)),
    Case("integer division", "mean_loss", (("return total / len(batches)\n    # END", "return total // len(batches)\n    # END"),),
         ("`//` rounds down",)),
    # issue 16: the enumerate off-by-one (total / i) and the other mean-loss slips, named by the grader's own
    # mistaken versions; a batch of one and odd sizes for the softmax
    Case("mean loss divided by the last enumerate index", "mean_loss", (
        ("    for x, y in batches:\n        loss = F.mse_loss", "    for i, (x, y) in enumerate(batches):\n        loss = F.mse_loss"),
        ("return total / len(batches)\n    # END", "return total / i\n    # END")),
         ("last index of enumerate",), mistake="debugging.divided_by_last_index"),
    Case("total overwritten by the last batch", "mean_loss", (("total += loss.item()", "total = loss.item()"),
                                                               ("return total / len(batches)\n    # END", "return total\n    # END")),
         ("only the last batch's loss",), mistake="debugging.last_batch_loss"),
    Case("mean loss divided by the batch size", "mean_loss", (
        ("return total / len(batches)\n    # END", "return total / len(batches[0][0])\n    # END"),),
         ("divided by the batch size",), mistake="debugging.divided_by_batch_size"),
    Case("sum instead of mean, with its id", "mean_loss", (("return total / len(batches)\n    # END", "return total\n    # END"),),
         ("divide by len(batches)",), mistake="debugging.sum_not_mean"),
    # train_steps
    Case("missing zero_grad", "train_steps", (("        optimizer.zero_grad()\n", ""),),
         ("piling up", "zero_grad")),
    Case("zero_grad between backward and step", "train_steps", (
        ("        optimizer.zero_grad()\n", ""),
        (STEP, "        loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()\n")),
         ("between backward() and step()",)),
    Case("zero_grad once before the loop", "train_steps", (("    for x, y in batches:\n        optimizer.zero_grad()\n",
                                                            "    optimizer.zero_grad()\n    for x, y in batches:\n"),),
         ("1 time(s) for 3 backward passes", "inside the loop")),
    Case("missing step", "train_steps", ((STEP, "        loss.backward()\n"),), ("never called optimizer.step()",)),
    Case("loss tensors returned", "train_steps", (("losses.append(loss.item())\n    return losses", "losses.append(loss)\n    return losses"),),
         ("loss tensors", "loss.item()")),
    # probabilities
    Case("softmax over the batch", "probabilities", (
        ("return F.softmax(logits, dim=1)  # (N, C)", "return F.softmax(logits, dim=0)"),),
         ("dim=0", "columns sum to 1"), mistake="debugging.softmax_wrong_dim"),
    Case("the whole batch normalised at once", "probabilities", (
        ("return F.softmax(logits, dim=1)  # (N, C)", "return logits.exp() / logits.exp().sum()"),),
         ("whole batch",)),
    Case("log_softmax instead of softmax", "probabilities", (
        ("return F.softmax(logits, dim=1)  # (N, C)", "return F.log_softmax(logits, dim=1)"),),
         ("log-probabilities",)),
    # accuracy
    Case("torch.max used as a tensor", "accuracy", (
        ("predicted = logits.argmax(dim=1)  # (N,)", "predicted = torch.max(logits, 1)"),),
         ("(values, indices)",)),
    Case("the max values compared with the labels", "accuracy", (("predicted = logits.argmax(dim=1)  # (N,)",
                                                                  "predicted = torch.max(logits, 1)[0]"),),
         ("largest values with the labels", ".indices")),
    Case("sigmoid instead of softmax", "probabilities", (("return F.softmax(logits, dim=1)  # (N, C)",
                                                          "return torch.sigmoid(logits)"),), ("went through a sigmoid",),
         mistake="debugging.sigmoid_not_softmax"),
    Case("normalised without exp", "probabilities", (("return F.softmax(logits, dim=1)  # (N, C)",
                                                      "return logits / logits.sum(dim=1, keepdim=True)"),),
         ("without exp",), mistake="debugging.normalised_without_exp"),
    Case("squeezed logits lose a batch of one", "probabilities", (
        ("return F.softmax(logits, dim=1)  # (N, C)", "return F.softmax(logits.squeeze(), dim=-1)"),), ("(1, ",)),
    Case("argmax over the batch", "accuracy", (
        ("predicted = logits.argmax(dim=1)  # (N,)", "predicted = logits.argmax(dim=0)"),), ("dim=0",)),
    Case("a count instead of a fraction", "accuracy", ((".float().mean().item()\n    # END", ".sum().item()\n    # END"),),
         ("number of right answers",)),
    Case("a tensor instead of a float", "accuracy", ((".float().mean().item()\n    # END", ".float().mean()\n    # END"),),
         ("`.item()`",)),
]


@pytest.mark.parametrize("case", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, case):
    expect_caught(grade, KATA, case)



# -- a leftover breakpoint -----------------------------------------------------------------

@pytest.mark.parametrize("call", ["breakpoint()", "import pdb; pdb.set_trace()"])
def test_leftover_breakpoint_is_graded_without_hanging_and_warned_about(grade, call):
    source = mutate(KATA, ("    model.zero_grad(set_to_none=True)\n",
                           f"    {call}\n    model.zero_grad(set_to_none=True)\n"))
    start = time.perf_counter()
    g = grade(KATA, source, "-k", "GradReport")
    assert time.perf_counter() - start < 60
    assert g.status("grad_report") == "passed", g.output
    assert "debugging.py line" in g.output and "grading skips it" in g.output
    assert "run pytest with -s" in g.output
