"""The mnist kata's hints, level by level, each in English and 简体中文: the idea first (why the
shapes shrink, why cross_entropy wants logits, why eval() and no_grad()), then the calls to make,
then the code."""

from __future__ import annotations

from pytest_torchkata.i18n import Text

HINTS: dict[str, list[Text]] = {
    "layers": [
        Text("a layer counts as part of the model only when it is an nn.Module assigned to an attribute of "
             "self after super().__init__(): that is how its parameters get registered and found by the checks",
             "只有在 super().__init__() 之后赋值给 self 属性的 nn.Module 才算模型的一部分：这样它的参数才会被"
             "注册，检查也才能按名字找到它"),
        Text("two convolutions with a 5x5 kernel (1 -> 10 -> 20 channels), then two fully connected layers "
             "(320 -> 50 -> 10), named conv1, conv2, fc1, fc2",
             "两个 5x5 卷积核的卷积层（通道 1 -> 10 -> 20），再接两个全连接层（320 -> 50 -> 10），"
             "名字分别是 conv1、conv2、fc1、fc2"),
        Text("conv1 = nn.Conv2d(1, 10, kernel_size=5), conv2 = nn.Conv2d(10, 20, kernel_size=5), "
             "fc1 = nn.Linear(320, 50), fc2 = nn.Linear(50, 10), all assigned to self",
             "conv1 = nn.Conv2d(1, 10, kernel_size=5)、conv2 = nn.Conv2d(10, 20, kernel_size=5)、"
             "fc1 = nn.Linear(320, 50)、fc2 = nn.Linear(50, 10)，都赋值给 self"),
    ],
    "forward": [
        Text("each 5x5 convolution trims 4 pixels from each side length and each 2x2 max-pool halves it "
             "(28 -> 24 -> 12 -> 8 -> 4); a Linear layer wants one flat row of numbers per image",
             "每个 5x5 卷积让边长少 4 个像素，每个 2x2 最大池化让边长减半（28 -> 24 -> 12 -> 8 -> 4）；"
             "全连接层要求每张图片是一行展平的数"),
        Text("F.relu and F.max_pool2d(x, 2) after each convolution, torch.flatten(x, 1) to (B, 320), "
             "F.relu after fc1; return fc2's output without softmax (F.cross_entropy applies log-softmax)",
             "每个卷积后接 F.relu 和 F.max_pool2d(x, 2)，用 torch.flatten(x, 1) 展平成 (B, 320)，fc1 后接 "
             "F.relu；直接返回 fc2 的输出，不要 softmax（F.cross_entropy 自己会做 log-softmax）"),
        Text("relu(conv1) -> max_pool2d(2) -> relu(conv2) -> max_pool2d(2) -> flatten to (B, 320) "
             "-> relu(fc1) -> fc2, and return the fc2 output as it is",
             "relu(conv1) -> max_pool2d(2) -> relu(conv2) -> max_pool2d(2) -> 展平成 (B, 320) "
             "-> relu(fc1) -> fc2，原样返回 fc2 的输出"),
    ],
    "train_step": [
        Text("backward() adds new gradients to those already in .grad, and only step() changes the "
             "parameters; a fresh 10-class model knows nothing, so its first loss is about ln 10 = 2.303",
             "backward() 会把新梯度加到 .grad 里已有的梯度上，只有 step() 才会改变参数；一个刚创建的 10 类模型"
             "什么都不知道，所以它的第一个损失大约是 ln 10 = 2.303"),
        Text("clear the gradients with optimizer.zero_grad(), loss = F.cross_entropy(model(x), y) on the raw "
             "logits, loss.backward(), optimizer.step(), and return loss.item()",
             "先用 optimizer.zero_grad() 清空梯度，对原始 logits 计算 loss = F.cross_entropy(model(x), y)，"
             "然后 loss.backward()、optimizer.step()，最后返回 loss.item()"),
        Text("`optimizer.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); "
             "optimizer.step(); return loss.item()`",
             "`optimizer.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); "
             "optimizer.step(); return loss.item()`"),
    ],
    "evaluate": [
        Text("layers such as dropout behave differently while training, and a graph built during evaluation "
             "only costs memory; the last batch of a loader can be smaller than the others",
             "dropout 这类层在训练时的行为不一样，而评估时构建计算图只会白白占用内存；数据加载器的最后一个批次"
             "可能比其他批次小"),
        Text("model.eval(), then inside `with torch.no_grad():` add up the correct predictions "
             "(argmax over dim=1) and the number of samples over all batches; divide at the end",
             "先 model.eval()，再在 `with torch.no_grad():` 里累加所有批次中预测正确的个数（对 dim=1 取 argmax）"
             "和样本数；最后再相除"),
        Text("model.eval(); inside torch.no_grad() count `(model(x).argmax(dim=1) == y).sum().item()` "
             "over the loader and divide by the number of samples",
             "model.eval()；在 torch.no_grad() 里对整个加载器累加 `(model(x).argmax(dim=1) == y).sum().item()`，"
             "再除以样本总数"),
    ],
    "data": [
        Text("a Dataset gives one (image, label) pair at a time and a DataLoader groups them into batches; "
             "the training set should be shuffled every epoch, the test set need not be",
             "Dataset 一次给出一对（图片，标签），DataLoader 把它们组成批次；训练集每个 epoch 都应打乱，"
             "测试集不需要"),
        Text("datasets.MNIST(root, train=True/False, download=True, transform=transforms.ToTensor()), "
             "then DataLoader(..., batch_size=batch_size, shuffle=True) for training, shuffle=False for test",
             "datasets.MNIST(root, train=True/False, download=True, transform=transforms.ToTensor())，"
             "然后训练集用 DataLoader(..., batch_size=batch_size, shuffle=True)，测试集用 shuffle=False"),
    ],
    "fit": [
        Text("held-out accuracy rises with the number of useful steps: the optimizer, the learning rate, the "
             "batch size and the epochs decide how far the loss falls within the time budget",
             "测试集上的准确率随有效的训练步数上升：优化器、学习率、批大小和 epoch 数决定了在时间预算内损失能降多少"),
        Text("SGD with lr=0.05 and momentum=0.9, batch size 64, 2 epochs reaches about 97% on the "
             "offline subset in a few seconds",
             "lr=0.05、momentum=0.9 的 SGD，批大小 64，训练 2 个 epoch，几秒钟就能在离线子集上达到约 97%"),
    ],
}
