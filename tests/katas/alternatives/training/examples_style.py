"""training kata in the pytorch/examples style: batch_idx loops, pred.eq(target.view_as(pred))."""

import torch.nn.functional as F
from torch.utils.data import DataLoader


def train_step(model, batch, loss_fn, optimizer) -> float:
    data, target = batch
    optimizer.zero_grad(set_to_none=True)
    output = model(data)
    loss = loss_fn(output, target)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def train_epoch(model, loader, loss_fn, optimizer) -> float:
    model.train()
    running_loss = 0.0
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = loss_fn(output, target)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    return running_loss / (batch_idx + 1)


def accuracy(logits, labels) -> float:
    pred = logits.argmax(dim=1, keepdim=True)
    correct = pred.eq(labels.view_as(pred)).sum().item()
    return correct / len(labels)


def evaluate(model, loader, loss_fn):
    model.eval()
    test_loss, correct, batches = 0.0, 0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += loss_fn(output, target).item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
            batches += 1
    model.train()
    return test_loss / batches, correct / len(loader.dataset)


def make_loader(dataset, batch_size: int, seed: int) -> DataLoader:
    return DataLoader(dataset, batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))


def fit(model, train_loader, val_loader, epochs: int, lr: float):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_acc": []}
    for epoch in range(1, epochs + 1):
        history["train_loss"].append(train_epoch(model, train_loader, F.cross_entropy, optimizer))
        val_loss, val_acc = evaluate(model, val_loader, F.cross_entropy)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
    return history
