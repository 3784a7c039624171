"""The library every problem uses, a module per topic: cli, files, checkpoints, training (with Run, the run lifecycle
of all four trainers), images, data, gan (P1 and P2), layer_tables, metrics/ (FID, IS) and uda/ (P3 and the bonus).
It imports no problem folder."""
