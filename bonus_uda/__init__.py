"""Bonus: an improved UDA method that beats DANN on the three digit scenarios."""
PROBLEM = "bonus"  # checkpoints bonus_<S>2<T>.pt, what hw2_bonus.sh serves
