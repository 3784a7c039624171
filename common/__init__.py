"""The library every problem uses, by topic: data/ (reading hw2_data, caches, batches, augmentation), training/
(configs, runtime, checkpoints, run folders), gan/ (P1 and P2), uda/ (P3 and the bonus), metrics/ (FID, IS), and
errors.py / atomic_output.py, which every command relies on. It imports no problem folder."""
