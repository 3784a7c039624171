"""P1: a DCGAN that generates 64×64 faces."""
GRADER_CHECKPOINT = "p1_dcgan.pt"  # in HW2_CKPT_DIR: the generator hw2_p1.sh serves
