"""LeNet-5 as course notes write it: tanh activations, average pooling, a 32x32 input, the
classic C1-S2-C3-S4-C5-F6 naming, and a feature extractor / classifier split."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    def __init__(self, n_classes=10):
        super(LeNet5, self).__init__()
        self.feature_extractor = nn.Sequential(
            nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5, stride=1),  # C1
            nn.Tanh(),
            nn.AvgPool2d(kernel_size=2),  # S2
            nn.Conv2d(in_channels=6, out_channels=16, kernel_size=5, stride=1),  # C3
            nn.Tanh(),
            nn.AvgPool2d(kernel_size=2),  # S4
            nn.Conv2d(in_channels=16, out_channels=120, kernel_size=5, stride=1),  # C5
            nn.Tanh(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(in_features=120, out_features=84),  # F6
            nn.Tanh(),
            nn.Linear(in_features=84, out_features=n_classes),
        )

    def forward(self, x):
        x = self.feature_extractor(x)
        x = torch.flatten(x, 1)
        logits = self.classifier(x)
        probs = F.softmax(logits, dim=1)
        return logits, probs
