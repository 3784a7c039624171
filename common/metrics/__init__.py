"""Image-quality metrics, one module per metric, and the command that rescores any folder:

    python3 -m common.metrics fid GEN_DIR REF_DIR [--weights PATH]
    python3 -m common.metrics is GEN_DIR [--weights PATH]
"""


class MetricSkipped(Exception):
    """A metric could not run (no Inception weights offline); its message is the one line to print."""
