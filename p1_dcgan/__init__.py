"""P1: a DCGAN that generates 64×64 faces."""
PROBLEM, NAME = "p1", "p1_dcgan"  # HW2_CKPT_DIR/p1_dcgan.pt is what hw2_p1.sh serves; runs go to runs/p1_dcgan/
