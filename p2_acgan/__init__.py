"""P2: a conditional ACGAN that generates 28×28 MNIST-M digits of a requested class."""
