"""Smoke test of `nhacviec bench`: every benchmark at a tiny size, figures present and positive."""

from __future__ import annotations

import json

import pytest

from bot.bench import BENCHES, Progress, run_benchmarks, seed_plans
from bot.cli import main

SCALE = 0.001

EXPECTED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "parse": {"seed_ms_max": float, "deadline_us": float, "reply_us": float, "seeds": int},
    "delivery": {"officers": int, "msgs_per_s": float, "ratio": float, "http_429": int,
                 "lost": int, "duplicates": int},
    "updates": {"updates": int, "per_s": float, "p50_ms": float, "p99_ms": float,
                "alone_ms": float},
    "tick": {"tasks": int, "query_ms": float, "claimed": int},
    "summary": {"organizations": int, "tasks": int, "ms": float},
    "memory": {"rss_mb": float, "tasks": int},
}
DATABASE = {"parse": "none", "delivery": "sqlite", "updates": "sqlite", "tick": "sqlite",
            "summary": "sqlite", "memory": "sqlite"}


def test_every_named_benchmark_exists():
    assert set(EXPECTED) == set(BENCHES)


def test_all_seed_plans_are_parsed():
    assert len(seed_plans()) == 5


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_bench_at_tiny_size(name):
    figures = run_benchmarks([name], scale=SCALE, progress=False)[name]
    assert figures["database"] == DATABASE[name]
    for key, kind in EXPECTED[name].items():
        assert isinstance(figures[key], kind), (key, figures)
        if key not in ("http_429", "lost", "duplicates"):
            assert figures[key] > 0, (key, figures)
    if name == "delivery":
        assert figures["lost"] == 0 and figures["duplicates"] == 0


def test_cli_prints_one_json_object_and_no_bar_when_not_a_terminal(capsys):
    assert main(["bench", "parse", "nope", "--json", "--scale", str(SCALE)]) == 0
    out, err = capsys.readouterr()
    figures = json.loads(out)
    assert set(figures) == {"parse", "nope"} and "error" in figures["nope"]
    assert err == ""


def test_progress_bar_draws_on_a_terminal(capsys):
    bar = Progress(2, enabled=True)
    bar.start("tick")
    bar.advance()
    bar.close()
    assert "1/2 tick" in capsys.readouterr().err
