"""The modules kata: each classic nn.Module mistake is caught with a message that names it,
and correct solutions written in other styles get full marks."""

import pytest
from kata_testing import Case, cases, expect_caught

CHECKS = {"parameter": "TestScale", "mlp": "TestMLP", "count": "TestCountTrainable", "freeze": "TestFreeze",
          "residual": "TestResidual", "buffer": "TestRunningMean", "train_eval": "TestDropoutMLP",
          "checkpoint": "TestCheckpoint", "to_device": "TestRunOn"}

COUNT = "return sum(p.numel() for p in model.parameters() if p.requires_grad)"
FREEZE = ("    for p in model.parameters():\n        p.requires_grad_(False)\n"
          "    for p in model[-1].parameters():\n        p.requires_grad_(True)\n")
RESIDUAL = "return x + self.module(x)"
DROPOUT = "h = F.dropout(h, self.p, training=self.training)"
UPDATE = "self.mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(dim=0))"
TO = "    model.to(device=device, dtype=dtype)\n    x = x.to(device=device, dtype=dtype)\n    return model(x)\n"


def case(id, task, replace, says, named=""):
    """A one-task case: only that task's checks run (``-k``), so other tasks are not graded."""
    return Case(id, task, replace, says, args=("-k", CHECKS[task]), others_pass=False, mistake=named)


MISTAKES = [
    case("plain_tensor_weight", "parameter", [("self.weight = nn.Parameter(torch.ones(features))",
                                               "self.weight = torch.ones(features, requires_grad=True)")],
         ("plain tensor", "nn.Parameter")),
    case("layers_in_a_plain_list", "mlp", [("self.layers = nn.ModuleList(\n", "self.layers = list(\n")],
         ("plain Python list", "nn.ModuleList")),
    case("relu_after_the_last_layer", "mlp", [("return self.layers[-1](x)  # (N, sizes[-1])",
                                               "return F.relu(self.layers[-1](x))")], ("ReLU after the last",)),
    case("no_relu_between_layers", "mlp", [("x = F.relu(layer(x))  # (N, hidden)", "x = layer(x)")],
         ("no ReLU between them",)),
    case("counting_frozen_parameters", "count", [(COUNT, "return sum(p.numel() for p in model.parameters())")],
         ("frozen parameters were counted",)),
    case("counting_tensors_not_numbers", "count",
         [(COUNT, "return len([p for p in model.parameters() if p.requires_grad])")], ("p.numel()",)),
    case("counting_buffers", "count", [(COUNT, "return sum(t.numel() for t in model.state_dict().values())")],
         ("buffers",)),
    case("requires_grad_attribute_on_a_module", "freeze",
         [(FREEZE, "    for layer in model[:-1]:\n        layer.requires_grad = False\n")],
         ("no parameter was frozen", "requires_grad_(False)")),
    case("freezing_the_last_layer_too", "freeze",
         [("    for p in model[-1].parameters():\n        p.requires_grad_(True)\n", "")],
         ("last layer was frozen too",)),
    case("calling_forward_directly", "residual", [(RESIDUAL, "return x + self.module.forward(x)")],
         ("forward hook", "self.module(x)")),
    case("in_place_addition", "residual", [(RESIDUAL, "x += self.module(x)\n        return x")], ("in place",)),
    case("module_in_a_list_is_not_registered", "residual",
         [("self.module = module", "self.inner = [module]"), (RESIDUAL, "return x + self.inner[0](x)")],
         ("registered",)),
    case("forgetting_super_init", "residual",
         [("        super().__init__()\n        # BEGIN SOLUTION residual\n", "        # BEGIN SOLUTION residual\n")],
         ("before Module.__init__() call", "super().__init__()")),
    case("module_output_detached", "residual", [(RESIDUAL, "return x + self.module(x).detach()")],
         ("no gradient", "self.module(x).detach()")),
    case("module_input_detached", "residual", [(RESIDUAL, "return x + self.module(x.detach())")],
         ("only through the skip connection", "x.detach()")),
    case("whole_output_detached", "residual", [(RESIDUAL, "return (x + self.module(x)).detach()")],
         ("graph was cut",)),
    case("skip_connection_missing", "residual", [(RESIDUAL, "return self.module(x)")], ("skip connection is missing",)),
    case("momentum_on_the_wrong_side", "buffer",
         [("self.mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(dim=0))",
           "self.mean.mul_(self.momentum).add_((1 - self.momentum) * x.mean(dim=0))")], ("(1 - momentum)",), named="modules.momentum_swapped"),
    case("centring_with_the_batch_mean", "buffer", [("return x - self.mean  # (N, F) - (F,) -> (N, F)",
                                                     "return x - (x.mean(dim=0) if self.training else self.mean)")],
         ("batch's own mean",)),
    case("plain_tensor_mean", "buffer", [('self.register_buffer("mean", torch.zeros(features))',
                                          "self.mean = torch.zeros(features)")],
         ("plain tensor attribute", "register_buffer")),
    case("mean_as_a_parameter", "buffer", [('self.register_buffer("mean", torch.zeros(features))',
                                            "self.mean = nn.Parameter(torch.zeros(features), requires_grad=False)")],
         ("is a parameter", "register_buffer")),
    case("buffer_not_persistent", "buffer", [('self.register_buffer("mean", torch.zeros(features))',
                                              'self.register_buffer("mean", torch.zeros(features), persistent=False)')],
         ("not saved in state_dict()", "persistent=False")),
    case("update_tracked_by_autograd", "buffer",
         [("            with torch.no_grad():\n"
           "                self.mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(dim=0))\n",
           "            self.mean = (1 - self.momentum) * self.mean + self.momentum * x.mean(dim=0)\n")],
         ("requires grad", "no_grad")),
    case("updating_in_eval_mode", "buffer", [("        if self.training:\n", "        if True:\n")],
         ("must not change in eval",)),
    case("dropout_active_in_eval", "train_eval", [(DROPOUT, "h = F.dropout(h, self.p)")],
         ("two eval-mode forwards", "training=self.training")),
    case("dropout_module_made_in_forward", "train_eval", [(DROPOUT, "h = nn.Dropout(self.p)(h)")],
         ("nn.Dropout once in __init__",)),
    case("missing_dropout", "train_eval", [(f"        {DROPOUT}\n", "")], ("never drops",)),
    case("forward_switches_to_train", "train_eval", [(DROPOUT, f"self.train()\n        {DROPOUT}")],
         ("switched the model back to training mode",)),
    case("dropout_rate_hard_coded", "train_eval", [(DROPOUT, "h = F.dropout(h, 0.5, training=self.training)")],
         ("p=0.0", "self.p")),
    case("dropout_after_the_last_layer", "train_eval",
         [(f"{DROPOUT}\n        return self.fc2(h)", "return F.dropout(self.fc2(h), self.p, training=self.training)")],
         ("after fc2",)),
    case("returning_what_load_state_dict_returns", "checkpoint",
         [("    model.load_state_dict(state)\n    return model\n", "    return model.load_state_dict(state)\n")],
         ("missing and unexpected keys", "return model")),
    case("reading_the_buffer_at_its_end", "checkpoint", [("return buffer.getvalue()", "return buffer.read()")],
         ("0 bytes", "getvalue()")),
    case("saving_the_whole_model", "checkpoint", [
        ("torch.save(model.state_dict(), buffer)", "torch.save(model, buffer)"),
        ("state = torch.load(io.BytesIO(data), weights_only=True)\n    model.load_state_dict(state)",
         "state = torch.load(io.BytesIO(data), weights_only=False)\n    model.load_state_dict(state.state_dict())")],
         ("not the model itself",)),
    case("saving_parameters_only", "checkpoint",
         [("torch.save(model.state_dict(), buffer)", "torch.save(dict(model.named_parameters()), buffer)")],
         ("only the parameters were saved", "running_mean", "model.state_dict()")),
    case("not_loading_into_the_given_model", "checkpoint",
         [("    model.load_state_dict(state)\n    return model\n", "    return state\n")],
         ("return the model it was given",)),
    case("tensor_to_without_reassigning", "to_device",
         [("    x = x.to(device=device, dtype=dtype)\n", "    x.to(device=device, dtype=dtype)\n")],
         ("returns a new tensor", "x = x.to(")),
    case("model_not_moved", "to_device", [(TO, "    x = x.to(device=device, dtype=dtype)\n    return model(x)\n")],
         ("model.to(",)),
    case("model_moved_to_the_dtype_only", "to_device", [(TO, TO.replace("model.to(device=device, dtype=dtype)",
                                                                        "model.to(dtype=dtype)"))],
         ("still holds", "(float32, cpu)", "model.to(")),
    # issue 16: the running mean's classic slips named by the grader's own mistaken versions, a batch of one,
    # every spelling of a device
    case("running_mean_of_all_elements", "buffer", [(UPDATE, UPDATE.replace("x.mean(dim=0)", "x.mean()"))],
         ("x.mean(), one number",), named="modules.running_mean_of_all_elements"),
    case("squeezed_batch_averages_features_on_a_batch_of_one", "buffer",
         [(UPDATE, UPDATE.replace("x.mean(dim=0)", "x.squeeze().mean(dim=0)"))],
         ("x.mean(), one number", "batch 2"), named="modules.running_mean_of_all_elements"),
    case("mean_replaced_by_the_batch_mean", "buffer", [(UPDATE, "self.mean.copy_(x.mean(dim=0))")],
         ("replaced by this batch's mean",), named="modules.mean_not_averaged_over_batches"),
    case("old_mean_not_decayed", "buffer", [(UPDATE, "self.mean.add_(self.momentum * x.mean(dim=0))")],
         ("without scaling it by (1 - momentum)",), named="modules.old_mean_not_decayed"),
    case("squeezed_mlp_output_on_a_batch_of_one", "mlp",
         [("return self.layers[-1](x)  # (N, sizes[-1])", "return self.layers[-1](x).squeeze()")],
         ("shape (1, 4)",)),
    case("device_treated_as_a_string", "to_device", [(TO, "    device = device.lower()\n" + TO)],
         ("torch.device", "as it is"), named="modules.device_as_a_string_only"),
]


@pytest.mark.parametrize("mistake", cases(MISTAKES))
def test_mistake_is_caught_and_named(grade, mistake):
    expect_caught(grade, "modules", mistake)


def test_the_summary_names_the_mistake_rather_than_the_raw_error(grade):
    """``x.to()`` not reassigned makes torch raise a dtype mismatch in three checks; the task shows the named one."""
    g = expect_caught(grade, "modules", next(m for m in MISTAKES if m.id == "tensor_to_without_reassigning"))
    assert "raised RuntimeError" not in g.task("to_device")["message"]
