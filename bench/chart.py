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


def capacity_chart(result: dict, path: Path) -> Path:
    """Left: each kind's p95 at every rate the search tried (a cross where the step failed), the
    longer step at the lecture-hour rate (a star), the 300 ms limit. Right: p50, p95 and p99 of
    each kind in that lecture-hour step."""
    steps = sorted(result["steps"], key=lambda step: step["rate"])
    lecture = result["lecture_hour"]
    kinds = list(lecture["by_kind"])
    limit = result["target"]["p95_limit_ms"]
    lecture_rate = result["target"]["lecture_hour_rate"]
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(12, 4.8), dpi=110, gridspec_kw={"width_ratios": [3, 2]}
    )
    rates = [step["rate"] for step in steps]
    for kind in kinds:
        left.plot(
            rates,
            [step["by_kind"].get(kind, {}).get("p95_ms") for step in steps],
            marker="o",
            markersize=3,
            linewidth=1,
            label=kind,
        )
    failed = [step for step in steps if not step["passed"]]
    left.scatter(
        [step["rate"] for step in failed],
        [step["worst_p95_ms"] for step in failed],
        marker="x",
        color="#c0392b",
        s=60,
        zorder=3,
        label="step failed",
    )
    left.scatter(
        [lecture["rate"]],
        [lecture["worst_p95_ms"]],
        marker="*",
        s=160,
        color="#27ae60" if lecture["passed"] else "#c0392b",
        zorder=4,
        label=f"{lecture['duration_s']:g} s at the lecture-hour rate (worst kind)",
    )
    left.axhline(limit, color="#555", linestyle="--", linewidth=1)
    left.annotate(
        f"p95 {limit:.0f} ms",
        (rates[0], limit),
        xytext=(0, 3),
        fontsize=8,
        textcoords="offset points",
    )
    left.axvline(lecture_rate, color="#1f5fa8", linestyle=":", linewidth=1)
    left.annotate(
        "lecture hour",
        (lecture_rate, limit),
        xytext=(3, -12),
        fontsize=8,
        textcoords="offset points",
        color="#1f5fa8",
    )
    passing = result["search"]["highest_passing_rate"]
    if passing is not None:
        left.axvline(passing, color="#27ae60", linestyle="-", linewidth=1)
        left.annotate(
            f"capacity {passing:g} req/s",
            (passing, limit),
            xytext=(3, 12),
            fontsize=8,
            textcoords="offset points",
            color="#27ae60",
        )
    left.set_yscale("log")
    left.set_xlabel("arrival rate, requests per second (the lecture-hour mix)")
    left.set_ylabel("p95 latency, ms (from when each request was due)")
    left.legend(fontsize=8, loc="upper left")

    positions = range(len(kinds))
    width = 0.26
    for offset, (name, key) in zip(
        (-width, 0, width), (("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms")), strict=True
    ):
        right.bar(
            [p + offset for p in positions],
            [lecture["by_kind"][kind][key] for kind in kinds],
            width,
            label=name,
        )
    right.axhline(limit, color="#555", linestyle="--", linewidth=1)
    right.set_yscale("log")
    right.set_xticks(list(positions), [kind.replace(" ", "\n", 1) for kind in kinds], fontsize=8)
    right.set_title(
        f"at the lecture-hour rate, {lecture['rate']:g} req/s: {lecture['failed']} failed",
        fontsize=9,
    )
    right.legend(fontsize=8, loc="lower right", framealpha=0.9)
    loads = [step["load_average"]["start"][0] for step in [*steps, lecture]]
    others = [step["cpu"]["other_cores"] for step in [*steps, lecture]]
    figure.suptitle(
        f"{result['date']} · commit {result['commit']} · gunicorn"
        f" {result['method']['gunicorn_workers']} workers · {result['machine']['cores']} cores ·"
        f" {result['method']['people']:,} people · load average {min(loads):.1f}–{max(loads):.1f}"
        f" · other jobs {min(others):.1f}–{max(others):.1f} cores",
        fontsize=10,
    )
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
