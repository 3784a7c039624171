"""Bonus: an improved UDA method that beats DANN on the three digit scenarios."""
