"""The library every problem uses, a module per topic: errors, atomic_output, config, checkpoints, training, images,
data, labels, augment, gan (P1 and P2), metrics/ (FID, IS) and uda/ (P3 and the bonus). It imports no problem
folder."""
