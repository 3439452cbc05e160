"""The chart of a run: requests per second of each endpoint beside its baseline."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # after choosing the backend


def chart(result: dict, path: Path) -> Path:
    entries = result["endpoints"]
    names = [entry["name"] for entry in entries]
    baseline = [entry["baseline"]["requests_per_second"] for entry in entries]
    endpoint = [entry["endpoint"]["requests_per_second"] for entry in entries]
    positions = range(len(entries))
    width = 0.38
    figure, axes = plt.subplots(figsize=(9, 4.8), dpi=110)
    axes.bar(
        [p - width / 2 for p in positions], baseline, width, label="bare baseline", color="#9aa7b4"
    )
    bars = axes.bar(
        [p + width / 2 for p in positions], endpoint, width, label="endpoint", color="#1f5fa8"
    )
    for bar, entry in zip(bars, entries, strict=True):
        verdict = "≥" if entry["met"] else "<"
        axes.annotate(
            f"{entry['ratio']:.2f} ({verdict} {entry['target']})",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 3),
            textcoords="offset points",
        )
    axes.set_xticks(
        list(positions),
        [
            f"{name}\nvs {entry['baseline']['name']}"
            for name, entry in zip(names, entries, strict=True)
        ],
    )
    axes.set_ylabel("requests per second (median)")
    machine = result["machine"]
    axes.set_title(
        f"{result['date']} · gunicorn {result['method']['gunicorn_workers']} workers · "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB · "
        f"worker peak RSS {result['worker_memory']['max_peak_rss_mib']:.0f} MiB",
        fontsize=10,
    )
    axes.legend(loc="upper right")
    axes.margins(y=0.15)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
