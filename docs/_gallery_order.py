"""The order of the gallery: the listed examples first, then every other ``plot_*.py`` by name."""

FIRST = ["plot_marginal_vs_causal.py", "plot_yaml_graph.py", "plot_groups.py",
         "plot_categorical_pipeline.py", "plot_direct_indirect.py", "plot_check_graph.py",
         "plot_run_to_report.py", "plot_to_shap.py"]


class ExampleOrder:
    """A sphinx-gallery ``within_subsection_order`` key."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        return (FIRST.index(filename), "") if filename in FIRST else (len(FIRST), filename)

    def __repr__(self):
        return f"<{type(self).__name__}>"
