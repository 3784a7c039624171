"""P1: a DCGAN that generates 64×64 faces."""
