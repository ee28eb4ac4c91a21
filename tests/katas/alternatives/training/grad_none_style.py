"""alt: decorator no_grad, numpy accuracy, randperm loader via Subset, history via defaultdict-free dict build."""
import numpy as np
from torch.utils.data import DataLoader, Subset


def train_step(model, batch, loss_fn, optimizer):
    x, y = batch
    for p in model.parameters():
        p.grad = None
    pred = model(x)
    loss = loss_fn(pred, y)
    loss.backward()
    optimizer.step()
    return float(loss)


def train_epoch(model, loader, loss_fn, optimizer):
    model.train(True)
    losses = [train_step(model, b, loss_fn, optimizer) for b in loader]
    return float(np.mean(losses))


def accuracy(logits, labels):
    _, pred = torch.max(logits.data, 1)
    return (pred == labels).sum().item() / labels.size(0)


@torch.no_grad()
def evaluate(model, loader, loss_fn):
    model.eval()
    n_correct = 0
    batch_losses = []
    for x, y in loader:
        logits = model(x)
        batch_losses.append(loss_fn(logits, y).item())
        n_correct += (logits.argmax(1) == y).sum().item()
    model.train()
    return float(np.mean(batch_losses)), n_correct / len(loader.dataset)


def make_loader(dataset, batch_size, seed):
    return DataLoader(dataset, batch_size, True, generator=torch.Generator().manual_seed(seed))


def fit(model, train_loader, val_loader, epochs, lr):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr, momentum=0.9)
    train_loss, val_loss, val_acc = [], [], []
    for _ in range(epochs):
        train_loss.append(train_epoch(model, train_loader, loss_fn, optimizer))
        l, a = evaluate(model, val_loader, loss_fn)
        val_loss.append(l); val_acc.append(a)
    return dict(train_loss=train_loss, val_loss=val_loss, val_acc=val_acc)
