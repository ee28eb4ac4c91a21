"""The mnist kata: correct solutions written unlike the reference get full marks
(the pytorch/examples style, the tutorial style with nn.Sequential, a functional
style), and issue 10's mnist mistakes are named by what was observed."""

from __future__ import annotations

from pathlib import Path

import pytest
from kata_testing import compose, mutate, solution_source

from test_mnist import data_args, needs_data

HEADER = '''from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

BATCH_SIZE = 64
EPOCHS = 2
'''

# pytorch/examples (the classic mnist/main.py): dropout, log_softmax in forward, F.nll_loss in the
# step, a test loader with its own batch size, accuracy from pred.eq(...).
EXAMPLES_STYLE = HEADER + '''

class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    output = model(x)
    loss = F.nll_loss(output, y)
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            pred = model(data).argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    return correct / len(loader.dataset)


def make_loaders(root, batch_size=BATCH_SIZE):
    kwargs = {"transform": transforms.ToTensor(), "download": True}
    train = DataLoader(datasets.MNIST(root, train=True, **kwargs), batch_size=batch_size, shuffle=True)
    test = DataLoader(datasets.MNIST(root, train=False, **kwargs), batch_size=1000, shuffle=False)
    return train, test


def make_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=2e-3)


def fit(model, train_loader, epochs=EPOCHS):
    optimizer = make_optimizer(model)
    losses = []
    for epoch in range(1, epochs + 2):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            losses.append(train_step(model, optimizer, data, target))
    return losses
'''

# The PyTorch tutorial's style: the layers composed with nn.Sequential, nn.CrossEntropyLoss, the
# evaluation under torch.inference_mode with .type(torch.float).
TUTORIAL_STYLE = HEADER + '''

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.features = nn.Sequential(self.conv1, nn.ReLU(), nn.MaxPool2d(2),
                                      self.conv2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.classifier = nn.Sequential(self.fc1, nn.ReLU(), self.fc2)

    def forward(self, x):
        return self.classifier(self.features(x))


loss_fn = nn.CrossEntropyLoss()


def train_step(model, optimizer, x, y):
    pred = model(x)
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(model, loader):
    size = len(loader.dataset)
    model.eval()
    correct = 0.0
    with torch.inference_mode():
        for X, y in loader:
            correct += (model(X).argmax(1) == y).type(torch.float).sum().item()
    return correct / size


def make_loaders(root, batch_size=BATCH_SIZE):
    training_data = datasets.MNIST(root=root, train=True, download=True, transform=transforms.ToTensor())
    test_data = datasets.MNIST(root=root, train=False, download=True, transform=transforms.ToTensor())
    return DataLoader(training_data, batch_size=batch_size, shuffle=True), DataLoader(test_data, batch_size=batch_size)


def make_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def fit(model, train_loader, epochs=EPOCHS):
    optimizer = make_optimizer(model)
    history = []
    for t in range(epochs):
        model.train()
        history += [train_step(model, optimizer, X, y) for X, y in train_loader]
    return history
'''

# Functional: F.conv2d-free but torch.flatten-free too (x.view(x.size(0), -1)), log_softmax in the
# step, zero_grad(set_to_none=True), counts kept as tensors, the epoch loop over a list.
FUNCTIONAL_STYLE = HEADER + '''

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, (5, 5)), nn.Conv2d(10, 20, (5, 5))
        self.fc1, self.fc2 = nn.Linear(20 * 4 * 4, 50), nn.Linear(50, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x).relu(), kernel_size=2, stride=2)
        x = F.max_pool2d(self.conv2(x).relu(), kernel_size=2, stride=2)
        return self.fc2(self.fc1(x.view(x.size(0), -1)).relu())


def train_step(model, optimizer, x, y):
    optimizer.zero_grad(set_to_none=True)
    loss = F.nll_loss(F.log_softmax(model(x), dim=1), y)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def evaluate(model, loader):
    model.eval()
    correct, total = torch.tensor(0), torch.tensor(0)
    with torch.no_grad():
        for x, y in loader:
            correct += (torch.max(model(x), 1).indices == y).sum()
            total += len(y)
    return (correct.double() / total).item()


def make_loaders(root, batch_size=BATCH_SIZE):
    def load(train):
        return datasets.MNIST(root, train, transforms.ToTensor(), download=True)
    return (DataLoader(load(True), batch_size, shuffle=True), DataLoader(load(False), batch_size * 4))


def make_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)


def fit(model, train_loader, epochs=EPOCHS):
    optimizer, losses = make_optimizer(model), []
    for _ in range(epochs):
        model.train()
        losses.extend(train_step(model, optimizer, x, y) for x, y in train_loader)
    return losses
'''

# Module layers for pooling, ReLU and flatten, model.zero_grad() and a criterion object, evaluation
# under set_grad_enabled(False) with train(False) that restores training mode, Normalize in the loaders,
# Adam with a larger batch, and a learning-rate schedule in fit (review r4).
MODULES_STYLE = HEADER.replace("BATCH_SIZE = 64\nEPOCHS = 2", "BATCH_SIZE = 128\nEPOCHS = 5") + '''

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.pool, self.relu, self.flat = nn.MaxPool2d(2, 2), nn.ReLU(), nn.Flatten()

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        return self.fc2(self.relu(self.fc1(self.flat(x))))


criterion = nn.CrossEntropyLoss()


def train_step(model, optimizer, x, y):
    model.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(model, loader):
    model.train(False)
    correct = total = 0
    with torch.set_grad_enabled(False):
        for images, labels in loader:
            _, predicted = torch.max(model(images).data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    model.train()
    return correct / total


def make_loaders(root, batch_size=BATCH_SIZE):
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST(root, train=True, download=True, transform=tf)
    test = datasets.MNIST(root, train=False, download=True, transform=tf)
    return DataLoader(train, batch_size, shuffle=True), DataLoader(test, batch_size=1000)


def make_optimizer(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3)


def fit(model, train_loader, epochs=EPOCHS):
    optimizer = make_optimizer(model)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.9)
    losses = []
    for epoch in range(epochs):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            losses.append(train_step(model, optimizer, data, target))
        scheduler.step()
    return losses
'''

ALTERNATIVES = {"pytorch-examples": EXAMPLES_STYLE, "tutorial-sequential": TUTORIAL_STYLE,
                "functional": FUNCTIONAL_STYLE, "modules-adam": MODULES_STYLE}
# alternatives/mnist/*.py: only what each writes differently from the reference (kata_testing.compose)
ALTERNATIVES.update({path.stem: compose(solution_source("mnist"), path.read_text(encoding="utf-8"))
                     for path in sorted((Path(__file__).parent / "alternatives" / "mnist").glob("*.py"))})
NO_DATA = ("-k", "not TestLoaders and not TestFit")


@pytest.mark.parametrize("source", ALTERNATIVES.values(), ids=ALTERNATIVES.keys())
def test_correct_alternatives_get_full_marks_without_data(grade, source):
    g = grade("mnist", source, *NO_DATA)
    assert g.full_marks, g.output


@needs_data
@pytest.mark.parametrize("source", ALTERNATIVES.values(), ids=ALTERNATIVES.keys())
def test_correct_alternatives_get_full_marks_on_real_digits(grade, source):
    g = grade("mnist", source, *data_args(), "--kata-isolate")
    assert g.full_marks, g.output


def test_softmax_before_cross_entropy_in_the_step_is_named(grade):
    g = grade("mnist", mutate("mnist", ("loss = F.cross_entropy(model(x), y)",
                                        "loss = F.cross_entropy(F.softmax(model(x), dim=1), y)")),
              "-k", "TestTrainStep")
    assert g.status("train_step") == "failed"
    assert "softmax before F.cross_entropy" in g.message("train_step")


def test_mean_of_per_batch_accuracies_is_named(grade):
    g = grade("mnist", mutate("mnist", (
        "    correct, total = 0, 0\n    with torch.no_grad():\n        for x, y in loader:\n"
        "            correct += (model(x).argmax(dim=1) == y).sum().item()\n            total += y.shape[0]\n"
        "    return correct / total",
        "    accs = []\n    with torch.no_grad():\n        for x, y in loader:\n"
        "            accs.append((model(x).argmax(dim=1) == y).float().mean().item())\n"
        "    return sum(accs) / len(accs)")), "-k", "TestEvaluate")
    assert g.status("evaluate") == "failed"
    assert "mean of per-batch accuracies" in g.message("evaluate")


def test_training_mode_in_evaluate_does_not_blame_the_learners_net(grade):
    g = grade("mnist", mutate("mnist", ("    model.eval()\n    correct, total", "    correct, total")),
              "-k", "TestEvaluate")
    assert g.status("evaluate") == "failed"
    assert "training mode" in g.message("evaluate") and "dropout was on" not in g.message("evaluate")
