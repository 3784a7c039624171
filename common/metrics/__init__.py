"""Image-quality metrics, one module per metric, and the command that rescores any folder:

    python3 -m common.metrics fid GEN_DIR REF_DIR [--weights PATH]
    python3 -m common.metrics is GEN_DIR [--weights PATH]

Without Inception weights (offline) each raises common.cli.MetricSkipped, whose message is the one line to print.
"""
