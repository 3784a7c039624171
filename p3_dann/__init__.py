"""P3: DANN on the three digit scenarios, with source-only and target-only bounds."""
