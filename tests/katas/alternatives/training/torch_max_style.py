"""training kata with torch.max and samplers: model.zero_grad, a RandomSampler, detached sums."""

from torch.utils.data import DataLoader, RandomSampler


def train_step(model, batch, loss_fn, optimizer) -> float:
    return train_step_tensor(model, *batch, loss_fn, optimizer).item()


def train_epoch(model, loader, loss_fn, optimizer) -> float:
    model.train(True)
    total = torch.zeros(())
    for inputs, labels in loader:
        total += train_step_tensor(model, inputs, labels, loss_fn, optimizer)
    return total.item() / len(loader)


def train_step_tensor(model, inputs, labels, loss_fn, optimizer) -> torch.Tensor:
    model.zero_grad()
    loss = loss_fn(model(inputs), labels)
    loss.backward()
    optimizer.step()
    return loss.detach()  # no graph: summing these keeps nothing alive


def accuracy(logits, labels) -> float:
    _, predicted = torch.max(logits, 1)
    return (predicted == labels).double().mean().item()


@torch.no_grad()
def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    losses, correct, total = [], 0, 0
    for inputs, labels in loader:
        outputs = model(inputs)
        losses.append(loss_fn(outputs, labels).item())
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    model.train(was_training or True)
    return sum(losses) / len(losses), correct / total


def make_loader(dataset, batch_size: int, seed: int) -> DataLoader:
    sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)


def fit(model, train_loader, val_loader, epochs: int, lr: float):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=lr, momentum=0.9)
    history = {name: [] for name in ("train_loss", "val_loss", "val_acc")}
    for _ in range(epochs):
        history["train_loss"].append(train_epoch(model, train_loader, criterion, optimizer))
        val_loss, val_acc = evaluate(model, val_loader, criterion)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
    return history
