"""P2: a conditional ACGAN that generates 28×28 MNIST-M digits of a requested class."""
GRADER_CHECKPOINT = "p2_acgan.pt"  # in HW2_CKPT_DIR: the generator hw2_p2.sh serves
EVALUATOR_CHECKPOINT = "digit_classifier.pt"  # in HW2_CKPT_DIR: our LeNet evaluator, when the course's is absent
