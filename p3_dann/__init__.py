"""P3: DANN on the three digit scenarios, with source-only and target-only bounds."""
PROBLEM = "p3"  # checkpoints p3_<S>2<T>.pt (DANN, what hw2_p3.sh serves), p3_<S>2<T>_source.pt, p3_<S>2<T>_target.pt
