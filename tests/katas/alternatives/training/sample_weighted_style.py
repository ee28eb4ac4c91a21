"""alt: sample-weighted epoch loss, inference_mode, restore previous mode, RandomSampler, topk."""
from torch.utils.data import DataLoader, RandomSampler


def train_step(model, batch, loss_fn, optimizer):
    inputs, targets = batch
    model.zero_grad()
    outputs = model(inputs)
    loss = loss_fn(outputs, targets)
    loss.backward()
    optimizer.step()
    return loss.detach().cpu().item()


def train_epoch(model, loader, loss_fn, optimizer):
    model.train()
    total, n = 0.0, 0
    for x, y in loader:
        total += train_step(model, (x, y), loss_fn, optimizer) * len(y)
        n += len(y)
    return total / n


def accuracy(logits, labels):
    top = logits.topk(1, dim=1).indices.squeeze(1)
    return float(torch.sum(top == labels)) / labels.numel()


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    losses, correct, total = [], 0, 0
    with torch.inference_mode():
        for x, y in loader:
            out = model(x)
            losses.append(loss_fn(out, y).item() * y.size(0))
            correct += int((out.argmax(-1) == y).sum())
            total += y.size(0)
    model.train(was_training)
    return sum(losses) / total, correct / total


def make_loader(dataset, batch_size, seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, sampler=RandomSampler(dataset, generator=g))


def fit(model, train_loader, val_loader, epochs, lr):
    criterion = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(params=model.parameters(), lr=lr, momentum=0.9)
    hist = {"train_loss": [], "val_loss": [], "val_acc": []}
    for epoch in range(1, epochs + 1):
        model.train()
        running = 0.0
        for i, (xb, yb) in enumerate(train_loader):
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item()
        hist["train_loss"].append(running / len(train_loader))
        vl, va = evaluate(model, val_loader, criterion)
        hist["val_loss"].append(vl)
        hist["val_acc"].append(va)
    return hist
