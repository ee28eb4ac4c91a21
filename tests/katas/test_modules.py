"""The modules kata: the reference passes, the stub is not started, and each
classic nn.Module mistake is caught with a message that names it."""

from kata_testing import mutate



CHECKS = {"parameter": "TestScale", "mlp": "TestMLP", "count": "TestCountTrainable", "freeze": "TestFreeze",
          "residual": "TestResidual", "buffer": "TestRunningMean", "train_eval": "TestDropoutMLP",
          "checkpoint": "TestCheckpoint", "to_device": "TestRunOn"}


def graded_task(grade, task, *replacements):
    """Grade one task (only its checks run) of a mutated reference: (status, "message | hint")."""
    g = grade("modules", mutate("modules", *replacements), "-k", CHECKS[task])
    return g.status(task), g.message(task)


# -- task 1 ------------------------------------------------------------------------

def test_plain_tensor_weight_is_caught(grade):
    status, message = graded_task(grade, "parameter", (
        "self.weight = nn.Parameter(torch.ones(features))",
        "self.weight = torch.ones(features, requires_grad=True)"))
    assert status == "failed"
    assert "plain tensor" in message and "nn.Parameter" in message


# -- task 2 ------------------------------------------------------------------------

def test_layers_in_a_plain_list_are_caught(grade):
    status, message = graded_task(grade, "mlp", (
        "self.layers = nn.ModuleList(\n", "self.layers = list(\n"))
    assert status == "failed"
    assert "plain Python list" in message and "nn.ModuleList" in message


def test_relu_after_the_last_layer_is_caught(grade):
    status, message = graded_task(grade, "mlp", (
        "return self.layers[-1](x)  # (N, sizes[-1])", "return F.relu(self.layers[-1](x))"))
    assert status == "failed"
    assert "ReLU after the last" in message


# -- task 3 ------------------------------------------------------------------------

def test_counting_frozen_parameters_is_caught(grade):
    status, message = graded_task(grade, "count", (
        "return sum(p.numel() for p in model.parameters() if p.requires_grad)",
        "return sum(p.numel() for p in model.parameters())"))
    assert status == "failed"
    assert "frozen parameters were counted" in message


def test_counting_tensors_instead_of_numbers_is_caught(grade):
    status, message = graded_task(grade, "count", (
        "return sum(p.numel() for p in model.parameters() if p.requires_grad)",
        "return len([p for p in model.parameters() if p.requires_grad])"))
    assert status == "failed"
    assert "p.numel()" in message


def test_counting_buffers_is_caught(grade):
    status, message = graded_task(grade, "count", (
        "return sum(p.numel() for p in model.parameters() if p.requires_grad)",
        "return sum(t.numel() for t in model.state_dict().values())"))
    assert status == "failed"
    assert "buffers" in message


# -- task 4 ------------------------------------------------------------------------

def test_requires_grad_attribute_on_a_module_is_caught(grade):
    status, message = graded_task(grade, "freeze", (
        "    for p in model.parameters():\n        p.requires_grad_(False)\n"
        "    for p in model[-1].parameters():\n        p.requires_grad_(True)\n",
        "    for layer in model[:-1]:\n        layer.requires_grad = False\n"))
    assert status == "failed"
    assert "no parameter was frozen" in message and "requires_grad_(False)" in message


def test_freezing_the_last_layer_too_is_caught(grade):
    status, message = graded_task(grade, "freeze", (
        "    for p in model[-1].parameters():\n        p.requires_grad_(True)\n", ""))
    assert status == "failed"
    assert "last layer was frozen too" in message


# -- task 5 ------------------------------------------------------------------------

def test_calling_forward_directly_is_caught(grade):
    status, message = graded_task(grade, "residual", (
        "return x + self.module(x)", "return x + self.module.forward(x)"))
    assert status == "failed"
    assert "forward hook" in message and "self.module(x)" in message


def test_in_place_addition_is_caught(grade):
    status, message = graded_task(grade, "residual", (
        "return x + self.module(x)", "x += self.module(x)\n        return x"))
    assert status == "failed"
    assert "in place" in message


def test_module_in_a_list_is_not_registered(grade):
    status, message = graded_task(grade, "residual", (
        "self.module = module", "self.inner = [module]"), (
        "return x + self.module(x)", "return x + self.inner[0](x)"))
    assert status == "failed"
    assert "registered" in message


def test_forgetting_super_init_is_caught(grade):
    status, message = graded_task(grade, "residual", (
        "        super().__init__()\n        # BEGIN SOLUTION residual\n", "        # BEGIN SOLUTION residual\n"))
    assert status == "failed"
    assert "before Module.__init__() call" in message and "super().__init__()" in message


# -- task 6 ------------------------------------------------------------------------

def test_plain_tensor_mean_is_caught(grade):
    status, message = graded_task(grade, "buffer", (
        'self.register_buffer("mean", torch.zeros(features))', "self.mean = torch.zeros(features)"))
    assert status == "failed"
    assert "plain tensor attribute" in message and "register_buffer" in message


def test_mean_as_a_parameter_is_caught(grade):
    status, message = graded_task(grade, "buffer", (
        'self.register_buffer("mean", torch.zeros(features))',
        "self.mean = nn.Parameter(torch.zeros(features), requires_grad=False)"))
    assert status == "failed"
    assert "is a parameter" in message and "register_buffer" in message


def test_update_tracked_by_autograd_is_caught(grade):
    status, message = graded_task(grade, "buffer", (
        "            with torch.no_grad():\n"
        "                self.mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(dim=0))\n",
        "            self.mean = (1 - self.momentum) * self.mean + self.momentum * x.mean(dim=0)\n"))
    assert status == "failed"
    assert "requires grad" in message and "no_grad" in message


def test_updating_in_eval_mode_is_caught(grade):
    status, message = graded_task(grade, "buffer", ("        if self.training:\n", "        if True:\n"))
    assert status == "failed"
    assert "must not change in eval" in message


# -- task 7 ------------------------------------------------------------------------

def test_dropout_active_in_eval_is_caught(grade):
    status, message = graded_task(grade, "train_eval", (
        "h = F.dropout(h, self.p, training=self.training)", "h = F.dropout(h, self.p)"))
    assert status == "failed"
    assert "two eval-mode forwards" in message and "training=self.training" in message


def test_dropout_module_made_in_forward_is_caught(grade):
    status, message = graded_task(grade, "train_eval", (
        "h = F.dropout(h, self.p, training=self.training)", "h = nn.Dropout(self.p)(h)"))
    assert status == "failed"
    assert "nn.Dropout once in __init__" in message


def test_missing_dropout_is_caught(grade):
    status, message = graded_task(grade, "train_eval", (
        "        h = F.dropout(h, self.p, training=self.training)\n", ""))
    assert status == "failed"
    assert "never drops" in message


# -- task 8 ------------------------------------------------------------------------

def test_reading_the_buffer_at_its_end_is_caught(grade):
    status, message = graded_task(grade, "checkpoint", ("return buffer.getvalue()", "return buffer.read()"))
    assert status == "failed"
    assert "0 bytes" in message and "getvalue()" in message


def test_saving_the_whole_model_is_caught(grade):
    status, message = graded_task(grade, "checkpoint", (
        "torch.save(model.state_dict(), buffer)", "torch.save(model, buffer)"), (
        "state = torch.load(io.BytesIO(data), weights_only=True)\n    model.load_state_dict(state)",
        "state = torch.load(io.BytesIO(data), weights_only=False)\n    model.load_state_dict(state.state_dict())"))
    assert status == "failed"
    assert "not the model itself" in message


def test_saving_parameters_only_is_caught(grade):
    status, message = graded_task(grade, "checkpoint", (
        "torch.save(model.state_dict(), buffer)", "torch.save(dict(model.named_parameters()), buffer)"))
    assert status == "failed"
    assert "model.state_dict()" in message


def test_not_loading_into_the_given_model_is_caught(grade):
    status, message = graded_task(grade, "checkpoint", (
        "    model.load_state_dict(state)\n    return model\n", "    return state\n"))
    assert status == "failed"
    assert "return the model it was given" in message


# -- task 9 ------------------------------------------------------------------------

def test_tensor_to_without_reassigning_is_caught(grade):
    status, message = graded_task(grade, "to_device", (
        "    x = x.to(device=device, dtype=dtype)\n", "    x.to(device=device, dtype=dtype)\n"))
    assert status == "failed"
    assert "returns a new tensor" in message


def test_model_not_moved_is_caught(grade):
    status, message = graded_task(grade, "to_device", (
        "    model.to(device=device, dtype=dtype)\n    x = x.to(device=device, dtype=dtype)\n    return model(x)\n",
        "    x = x.to(device=device, dtype=dtype)\n    return model(x)\n"))
    assert status == "failed"
    assert "model.to(" in message
