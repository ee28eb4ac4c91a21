"""alt: fit with gradient-norm clipping (a generous bound) and its own inner loop, accuracy from
one-hot rows contracted with einsum, evaluation through torch.func.functional_call."""
import torch.nn.functional as F
from torch.func import functional_call


def accuracy(logits, labels):
    classes = logits.shape[1]
    hits = torch.einsum("nc,nc->", F.one_hot(logits.argmax(1), classes).float(),
                        F.one_hot(labels, classes).float())
    return (hits / len(labels)).item()


def evaluate(model, loader, loss_fn):
    model.eval()
    weights = {k: v.detach() for k, v in model.named_parameters()}
    losses, right, total = [], 0, 0
    with torch.no_grad():
        for x, y in loader:
            out = functional_call(model, weights, (x,))
            losses.append(loss_fn(out, y).item())
            right += int((out.argmax(1) == y).sum())
            total += len(y)
    model.train()
    return sum(losses) / len(losses), right / total


def fit(model, train_loader, val_loader, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_loss": [], "val_acc": []}
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=50.0)
            optimizer.step()
            batch_losses.append(loss.item())
        history["train_loss"].append(sum(batch_losses) / len(batch_losses))
        val_loss, val_acc = evaluate(model, val_loader, criterion)
        history["val_loss"].append(val_loss)
        history["val_acc"].append(val_acc)
    return history
