"""Printing metrics for people, and the model card's plots."""

from __future__ import annotations

from pathlib import Path


def format_metrics(m: dict) -> str:
    """A terminal report of `evaluate_split` (and friends) output."""
    lines = [
        f"emails: {m['emails']}",
        "",
        f"tone accuracy {m['tone']['accuracy']:.3f}  (ECE {m['tone']['ece']:.3f})",
    ]
    labels = m["tone"]["confusion"]["labels"]
    lines.append("confusion (rows gold, columns predicted):")
    lines.append(" " * 12 + "".join(f"{label[:10]:>11}" for label in labels))
    for label, row in zip(labels, m["tone"]["confusion"]["matrix"], strict=True):
        lines.append(f"{label:>12}" + "".join(f"{v:>11}" for v in row))
    lines.append("")
    lines.append(f"{'label':<18}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    rows = [(f"tone:{k}", v) for k, v in m["tone"]["per_label"].items()]
    rows += list(m["complaints"]["per_label"].items())
    t = m["threat"]["present"]
    rows.append(("threat", t))
    rows += [(f"threat:{k}", v) for k, v in m["threat"]["kinds"].items()]
    rows += [(f"role:{k}", v) for k, v in m["roles"]["per_label"].items()]
    lines += [_row(name, scores) for name, scores in rows]
    c = m["complaints"]
    lines += [
        "",
        f"complaints micro-F1 {c['micro']['f1']:.3f}  macro-F1 {c['macro_f1']:.3f}  "
        f"ECE {c['ece']:.3f}",
        f"threat F1 {t['f1']:.3f}",
        f"role accuracy {m['roles']['accuracy']:.3f} on {m['roles']['sentences']} sentences",
        "mean hostility by tone: "
        + ", ".join(f"{k} {v:.2f}" for k, v in m["hostility"]["mean_by_tone"].items())
        + (
            "  (increasing)"
            if m["hostility"]["increasing_calm_to_abusive"]
            else "  (NOT increasing)"
        ),
    ]
    h = m["hostility"]
    if "share_hostile_by_tone" in h:
        lines.append(
            "share scoring as hostile (0.5 or more) by tone: "
            + ", ".join(f"{k} {v:.2f}" for k, v in h["share_hostile_by_tone"].items())
        )
    if h.get("auc_angry_abusive_vs_rest") is not None:
        lines.append(
            f"hostility AUC, angry or abusive vs the rest: {h['auc_angry_abusive_vs_rest']:.3f}"
        )
    if "real_hostility_auc" in m:
        lines.append(
            "hostility ROC AUC on real data (held-out half): "
            + ", ".join(
                f"{k} {v['auc']:.3f} (n={v['n']})" for k, v in m["real_hostility_auc"].items()
            )
        )
    if "evidence" in m:
        ev = m["evidence"]
        fits = ev["top_sentence_fits_gold_role"]
        lines.append(
            f"evidence: {ev['with_evidence']:.3f} of {ev['labels_decided']} decided labels have "
            f"some; top sentence fits the gold role: tone {fits['tone']:.3f}, "
            f"threat {fits['threat']:.3f}, complaint {fits['complaint']:.3f}"
        )
    if "reply_reading" in m:
        r = m["reply_reading"]
        lines.append(
            f"reply reading (the guard's) on these emails: tone accuracy {r['tone_accuracy']:.3f}, "
            f"calm read calm {r['calm_read_calm']:.3f}, "
            f"others read not calm {r['hostile_read_not_calm']:.3f}"
        )
    if "drafts" in m:
        d = m["drafts"]
        lines.append(
            f"drafts: guard pass rate {d['guard_pass_rate']:.3f}, "
            f"{d.get('alternatives_per_draft', 0)} passing alternatives each, requests restated "
            f"{d['requests_restated']:.3f}, words median {d['words']['median']} "
            f"(min {d['words']['min']}, max {d['words']['max']})"
        )
    if "second_reader" in m:
        r = m["second_reader"]
        lines.append(f"against the gold, on the {r['emails']} emails a second reader labelled too:")
        for who in ("reader", "model"):
            x = r[who]
            lines.append(
                f"  {who:<7} tone accuracy {x['tone_accuracy']:.3f}, complaint micro-F1 "
                f"{x['complaints']['f1']:.3f} (P {x['complaints']['precision']:.3f} "
                f"R {x['complaints']['recall']:.3f}), macro-F1 {x['complaints_macro_f1']:.3f}, "
                f"threat F1 {x['threat']['f1']:.3f}"
            )
    return "\n".join(lines)


def _row(name: str, s: dict) -> str:
    return f"{name:<18}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}{s['support']:>6}"


def write_plots(m: dict, folder: Path) -> list[Path]:
    """A reliability diagram and a tone confusion matrix as PNG files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    rel = m["tone"]["reliability"]
    fig, ax = plt.subplots(figsize=(4, 4), dpi=120)
    ax.plot([0, 1], [0, 1], "--", color="grey", linewidth=1)
    ax.plot([r["confidence"] for r in rel], [r["accuracy"] for r in rel], "o-")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Tone reliability (ECE {m['tone']['ece']:.3f})")
    fig.tight_layout()
    reliability = folder / "reliability.png"
    fig.savefig(reliability)
    plt.close(fig)

    labels = m["tone"]["confusion"]["labels"]
    matrix = m["tone"]["confusion"]["matrix"]
    fig, ax = plt.subplots(figsize=(5, 4.2), dpi=120)
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30)
    ax.set_yticks(range(len(labels)), labels)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title("Tone confusion (evaluation split)")
    fig.tight_layout()
    confusion = folder / "confusion.png"
    fig.savefig(confusion)
    plt.close(fig)
    return [reliability, confusion]
