"""linear_regression whose training step hands optimizer.step a closure (the style LBFGS needs):
zero_grad, forward and backward run inside step(), so the gradients arrive after the step began."""


def train_step(model, optimizer, x, y):
    loss_fn = nn.MSELoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    return loss.item()
