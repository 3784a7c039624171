"""Image-quality metrics, one module per metric, and the command that rescores any folder:

    python3 -m common.metrics fid GEN_DIR REF_DIR [--weights PATH]
    python3 -m common.metrics is GEN_DIR [--weights PATH]
    python3 -m common.metrics faces GEN_DIR           # a face detector's rate: a proxy that needs no weights

Without Inception weights (offline) FID and IS raise common.cli.MetricSkipped, as the detector does without OpenCV;
its message is the one line to print.
"""
