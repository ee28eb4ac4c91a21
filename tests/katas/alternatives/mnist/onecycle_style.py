"""A one-cycle learning-rate schedule stepped after every batch, the mode set once per epoch through
model.train(True), an nn.CrossEntropyLoss criterion and zero_grad on the model."""

import torch
import torch.nn as nn


def train_step(model, optimizer, x, y):
    model.zero_grad(set_to_none=True)
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    optimizer.step()
    return float(loss.item())


def make_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)


def fit(model, train_loader, epochs=EPOCHS):
    optimizer = make_optimizer(model)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                                   steps_per_epoch=len(train_loader))
    losses = []
    for _ in range(epochs):
        model.train(True)
        for images, labels in train_loader:
            losses.append(train_step(model, optimizer, images, labels))
            schedule.step()
    return losses
