"""Reading the portal's metrics in tests: this process's (the test client's), or a real server's
scrape, each as {(sample name, sorted labels): value}."""

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def key(name: str, **labels: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, tuple(sorted(labels.items()))


def process_samples() -> Samples:
    """Every sample of this process's registry (the single-process mode)."""
    return {
        key(sample.name, **sample.labels): sample.value
        for family in REGISTRY.collect()
        for sample in family.samples
    }


def parsed(text: str) -> Samples:
    """The samples of a scrape in the text exposition format."""
    return {
        key(sample.name, **sample.labels): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


class Counted:
    """What a piece of a test added to this process's metrics: `counted[name, labels]`."""

    def __init__(self) -> None:
        self.before = process_samples()
        self.after: Samples | None = None

    def __enter__(self) -> "Counted":
        self.before = process_samples()
        return self

    def __exit__(self, *exc) -> None:
        self.after = process_samples()

    def __call__(self, name: str, **labels: str) -> float:
        after = self.after if self.after is not None else process_samples()
        wanted = key(name, **labels)
        return after.get(wanted, 0.0) - self.before.get(wanted, 0.0)

    def added(self, prefix: str = "neptun_") -> dict:
        """Every sample of the portal's metrics that changed, with how much."""
        after = self.after if self.after is not None else process_samples()
        return {
            name: value - self.before.get(name, 0.0)
            for name, value in after.items()
            if name[0].startswith(prefix) and value != self.before.get(name, 0.0)
        }
