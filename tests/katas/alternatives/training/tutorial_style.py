"""training kata in the PyTorch tutorials' style: train_step reused, inference_mode, sums by sample."""

from torch.utils.data import DataLoader


def train_step(model, batch, loss_fn, optimizer) -> float:
    X, y = batch
    optimizer.zero_grad()
    pred = model(X)
    loss = loss_fn(pred, y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)  # tidy up after the step as well
    return loss.item()


def train_epoch(model, loader, loss_fn, optimizer) -> float:
    model.train()
    losses = [train_step(model, batch, loss_fn, optimizer) for batch in loader]
    return sum(losses) / len(losses)


def accuracy(logits, labels) -> float:
    return (logits.argmax(1) == labels).type(torch.float).sum().item() / labels.size(0)


def evaluate(model, loader, loss_fn):
    model.eval()
    size = len(loader.dataset)
    test_loss, correct = 0.0, 0.0
    with torch.inference_mode():
        for X, y in loader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item() * len(X)  # the mean over samples
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    model.train()
    return test_loss / size, correct / size


def make_loader(dataset, batch_size: int, seed: int) -> DataLoader:
    g = torch.Generator()
    g.manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=g)


def fit(model, train_loader, val_loader, epochs: int, lr: float):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    for t in range(epochs):
        train_loss = train_epoch(model, train_loader, loss_fn, optimizer)
        val_loss, val_acc = evaluate(model, val_loader, loss_fn)
        for key, value in zip(history, (train_loss, val_loss, val_acc)):
            history[key].append(value)
    return history
