"""debugging kata with enumerate counting the batches right (i + 1), softmax as a tensor method over
the last dim, and the accuracy through torch.eq in float64."""


def mean_loss(model, batches):
    running = 0.0
    for i, (x, y) in enumerate(batches):
        running += F.mse_loss(model(x), y).item()
    return running / (i + 1)


def class_probabilities(logits):
    return logits.softmax(-1)


def accuracy(logits, labels):
    return torch.eq(logits.argmax(-1), labels).double().mean().item()
