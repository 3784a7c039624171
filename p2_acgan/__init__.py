"""P2: a conditional ACGAN that generates 28×28 MNIST-M digits of a requested class."""
PROBLEM, NAME = "p2", "p2_acgan"  # HW2_CKPT_DIR/p2_acgan.pt is what hw2_p2.sh serves; runs go to runs/p2_acgan/
EVALUATOR_CHECKPOINT = "digit_classifier.pt"  # in HW2_CKPT_DIR: our LeNet evaluator, when the course's is absent
