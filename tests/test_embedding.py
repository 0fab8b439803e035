"""Embedding successkit in an app: results pickle to equal objects, one model or playbook
serves many threads at once, and rule text from a user is parsed in bounded time."""

from __future__ import annotations

import ast
import copy
import json
import pickle
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import successkit as sk
from successkit.usage import UsageModel


def _portfolio(n: int = 2_000) -> sk.Portfolio:
    rng = np.random.default_rng(5)
    seats = rng.integers(1, 50, n).astype(float)
    active = np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 50, n).astype(float))
    return sk.Portfolio.from_columns(
        {
            "id": [f"acc{i}" for i in range(n)],
            "active_users": active,
            "seats": seats,
            "nps": rng.integers(0, 11, n).astype(float),
            "tier": rng.choice(["high", "low", "tech"], n).tolist(),
        },
        as_of="2026-10-01",
    )


def _model() -> sk.HealthModel:
    return sk.HealthModel([
        sk.Metric("activation", source="active_users / seats", scheme=sk.Linear(0, 1)),
        sk.Metric("nps", scheme=sk.Thresholds([5, 8])),
    ])


_PLAYBOOK = """
rule low: when health.score < 50 and tier != "tech" then call(share = 33.3%) due 7d
rule idle: when active_users / seats <= 10% or active_users is missing then mail
"""


def _again(value: Any) -> Any:
    return pickle.loads(pickle.dumps(value))


def test_results_pickle_to_equal_objects() -> None:
    pf, model = _portfolio(), _model()
    playbook = sk.Playbook.parse("when nps < 5 and active_users / seats <= 10% then call")
    scores = model.score(pf)
    ctas = playbook.evaluate(pf)
    assert len(ctas) > 0
    assert _again(scores) == scores
    assert _again(ctas).to_dict() == ctas.to_dict()
    assert _again(playbook) == playbook
    assert _again(model) == model
    assert _again(pf) == pf


def test_ctas_evaluated_with_a_namespace_pickle_with_their_reasons() -> None:
    pf, model = _portfolio(), _model()
    ctas = sk.Playbook.parse(_PLAYBOOK).evaluate(pf, health=model)
    copy = _again(ctas)
    assert len(ctas) > 100
    assert copy.to_dict() == ctas.to_dict()
    assert [c.reason for c in copy] == [c.reason for c in ctas]
    assert [copy[i] for i in (0, 7, len(ctas) - 1)] == [ctas[i] for i in (0, 7, len(ctas) - 1)]
    assert _again(copy).to_dict() == ctas.to_dict()  # written reasons pickle again
    # the frames (compiled closures, the scored namespace) do not travel
    written = pickle.dumps(ctas)
    assert b"_Explainer" not in written
    assert b"Frame" not in written


def test_ctas_of_a_history_pickle_with_their_reasons() -> None:
    first = _portfolio()
    later = first.with_columns({"nps": np.roll(first["nps"], 7)}).with_as_of("2026-11-01")
    history = sk.History([first, later])
    playbook = sk.Playbook.parse(
        'when nps becomes 10 or delta(nps, 1mo) <= -5 then call due 3d\n'
        'when health.band becomes "red" then escalate'
    )
    for ctas in (playbook.evaluate(history, health=_model()),
                 playbook.replay(history, health=_model()).ctas):
        assert len(ctas) > 0
        copy = _again(ctas)
        assert copy.to_dict() == ctas.to_dict()
        assert copy.counts() == ctas.counts()


def test_one_model_and_one_playbook_serve_eight_threads() -> None:
    pf, model = _portfolio(), _model()
    playbook = sk.Playbook.parse(_PLAYBOOK)
    serial_scores = model.score(pf)
    serial_ctas = playbook.evaluate(pf, health=model).to_dict()
    fresh_model, fresh_playbook = _model(), sk.Playbook.parse(_PLAYBOOK)  # caches cold

    def work(_: int) -> tuple[Any, Any]:
        return fresh_model.score(pf), fresh_playbook.evaluate(pf, health=fresh_model).to_dict()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(32)))
    for scores, ctas in results:
        assert scores == serial_scores
        assert ctas == serial_ctas


def test_every_kind_of_model_serves_eight_threads_started_together() -> None:
    pf = _portfolio()
    rng = np.random.default_rng(9)
    n = 5_000
    events = {
        "account_id": [f"acc{k}" for k in rng.integers(0, len(pf), n)],
        "touchpoint": rng.choice(["web_access", "event_attendance", "email_click"], n).tolist(),
        "at": (np.datetime64("2026-07-01") + rng.integers(0, 90, n)).astype(str).tolist(),
    }

    def models() -> list[tuple[str, Any]]:  # fresh objects: every cache starts cold
        segmented = sk.SegmentedModel("tier", {"high": _model()}, default=_model())
        roadmap = sk.Roadmap([
            sk.Stage("new", goal="nps >= 8", playbook="when nps < 5 then call"),
            sk.Stage("grown", entry="active_users >= 5"),
        ])
        return [
            ("segmented", lambda: segmented.score(pf)),
            ("touch", (lambda t: lambda: t.score(events, pf))(sk.TouchModel.sansan(window="90d"))),
            ("roadmap", lambda: roadmap.assign(pf)),
            ("text", lambda: sk.Playbook.parse(_PLAYBOOK).format()),
        ]

    serial = {name: run() for name, run in models()}
    shared = models()
    start = threading.Barrier(8)

    def work(k: int) -> tuple[str, Any]:
        name, run = shared[k % len(shared)]
        start.wait(timeout=30)  # all eight at once, on cold caches
        return name, run()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for name, result in results:
        assert result == serial[name], name


def test_rule_errors_from_eight_threads_equal_serial_ones() -> None:
    """The parser keeps its state per thread; its shared caches of error hints are filled
    by whichever thread comes first, and read safely by the others."""
    from successkit.dsl import _syntax_errors

    texts = [
        "when x > then a", "when x > 1 a", "when x == 1 then a", "when then a",
        "rule r: x then a", "when x in () then a", "when x > 1 then a as danger",
        "when (x > 1 then a", "when x > 1 then a due 3", "when 'abc then a",
    ] * 20

    def message(text: str) -> str:
        try:
            sk.Playbook.parse(text)
        except sk.RuleSyntaxError as error:
            return str(error)
        raise AssertionError(text)

    _syntax_errors._hint_cache.clear()
    _syntax_errors._accepted_cache.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(message, texts))
    assert threaded == [message(text) for text in texts]


def test_a_huge_playbook_is_refused_quickly() -> None:
    text = "when x > 1 then act\n" * 500_000  # 10 MB
    started = time.perf_counter()
    with pytest.raises(sk.RuleSyntaxError, match="too long"):
        sk.Playbook.parse(text)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "when " + "not " * 100_000 + "x > 1 then act",
        "when " + "-" * 100_000 + "x > 1 then act",
        "when " + "abs(" * 50_000 + "x" + ")" * 50_000 + " > 1 then act",
    ],
)
def test_deep_nesting_is_a_rule_error_not_a_recursion_error(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(sk.RuleSyntaxError, match="nested too deeply"):
        sk.Playbook.parse(text)
    assert time.perf_counter() - started < 5.0


def test_deep_parentheses_alone_are_not_nesting() -> None:
    # parentheses add no node, so 100,000 of them parse (iteratively) to `x > 1`
    text = "when " + "(" * 100_000 + "x" + ")" * 100_000 + " > 1 then act"
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": [1.0, 2.0]})
    assert [c.account_id for c in sk.Playbook.parse(text).evaluate(pf)] == ["b"]


# -- models and playbooks from untrusted dictionaries -------------------------------------------


def _documents() -> dict[str, tuple[Any, dict[str, Any]]]:
    """Every kind of model a user may send as JSON: (its from_dict, its to_dict as JSON)."""
    health = sk.HealthModel(
        [sk.Metric("activation", source="active_users / seats", scheme=sk.Linear(0, 1),
                   group="use", label="Activation", max_age="30d"),
         sk.Metric("nps", scheme=sk.Thresholds([5, 8]), group="voice"),
         sk.Metric("tier", scheme=sk.Categories({"high": 1.0, "low": 0.5}))],
        groups={"use": 2.0, "voice": 1.0},
        bands=sk.Bands({"red": 0, "green": 50}, colours={"red": "#f00"}, hysteresis=2),
    )
    pf = _portfolio(200)
    calibrated = _model().calibrate(pf, (pf["nps"] < 5).tolist())
    models: list[Any] = [
        health,
        sk.SegmentedModel("tier", {"high": health}, default=health),
        calibrated,
        sk.TouchModel.sansan(window="90d"),
        sk.Quadrants(health=50, labels=("top", "nurture", "fix", "risk")),
        sk.Roadmap([sk.Stage("new", goal="nps >= 8", playbook="when nps < 5 then call",
                             tasks=[sk.Task("kickoff", "joint", due="2w")]),
                    sk.Stage("grown", entry="active_users >= 5")]),
        sk.Playbook.parse(_PLAYBOOK, name="p"),
        UsageModel.from_text("metric logins = count(login, 28d)"),
    ]
    return {type(m).__name__: (type(m).from_dict, json.loads(json.dumps(m.to_dict())))
            for m in models}


# Mappings whose keys are the user's labels (groups, bands, categories, segments), not fields.
_LABELLED = {"groups", "bounds", "colours", "mapping", "models"}


def _objects_in(document: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every dict in ``document`` that describes an object, with its path."""
    found, stack = [], [("", document, False)]
    while stack:
        where, value, labelled = stack.pop()
        if isinstance(value, dict):
            if not labelled:
                found.append((where, value))
            for key, item in value.items():
                inner = f"[{key!r}]" if labelled else (f"{where}.{key}" if where else key)
                stack.append((f"{where}{inner}" if labelled else inner, item,
                              (not labelled and key in _LABELLED and key != "models")
                              or (key == "models" and isinstance(item, dict)
                                  and "metrics" not in item)))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item, False) for i, item in enumerate(value))
    return found


DOCUMENTS = _documents()


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_models_read_back_from_json_equal(kind: str) -> None:
    from_dict, document = DOCUMENTS[kind]
    model = from_dict(document)
    assert from_dict(json.loads(json.dumps(model.to_dict()))) == model


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_an_unknown_key_anywhere_is_refused_with_its_path(kind: str) -> None:
    from_dict, document = DOCUMENTS[kind]
    places = _objects_in(document)
    assert places
    for where, _ in places:
        changed = copy.deepcopy(document)
        target = dict(_objects_in(changed))[where]
        target["colour_typo"] = 1
        with pytest.raises(sk.ModelError) as info:
            from_dict(changed)
        expected = f"{where}.colour_typo" if where else "colour_typo"
        assert info.value.where == expected, (kind, where, str(info.value))
        assert "unknown key 'colour_typo'" in str(info.value)


def _deep(levels: int, leaf: Any = 0, *, as_dict: bool = False) -> Any:
    value = leaf
    for _ in range(levels):  # built in a loop: no recursion here either
        value = {"a": value} if as_dict else [value]
    return value


@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_input_nested_ten_thousand_deep_is_a_model_error(kind: str) -> None:
    from_dict, document = DOCUMENTS[kind]
    deep_places = 0
    for where, target in _objects_in(document):
        for key in list(target)[:2]:
            for as_dict in (False, True):
                changed = copy.deepcopy(document)
                dict(_objects_in(changed))[where][key] = _deep(10_000, as_dict=as_dict)
                started = time.perf_counter()
                with pytest.raises(sk.ModelError, match="nested too deeply") as info:
                    from_dict(changed)
                assert time.perf_counter() - started < 1.0
                assert len(str(info.value)) < 1_000
                deep_places += 1
    assert deep_places >= 3


def test_a_json_text_nested_ten_thousand_deep_never_reaches_successkit() -> None:
    # Python's json refuses it by itself (RecursionError); with the recursion limit raised
    # it decodes, and from_dict then refuses it without recursing
    text = '{"type": "health", "version": 1, "metrics": ' + "[" * 10_000 + "]" * 10_000 + "}"
    with pytest.raises(RecursionError):
        json.loads(text)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(30_000)
    try:
        document = json.loads(text)
    finally:
        sys.setrecursionlimit(limit)
    with pytest.raises(sk.ModelError, match=r"metrics\[0\]\[0\].*nested too deeply"):
        sk.HealthModel.from_dict(document)


@pytest.mark.parametrize(
    "document",
    [
        None, [], "health", 3,
        {"type": "health", "version": 1, "metrics": "x"},
        {"type": "health", "version": 1, "metrics": [{"type": "metric", "version": 1}]},
        {"type": "health", "version": 1, "metrics": [[1]]},
        {"type": "health", "version": 1, "metrics": [], 1: 2},
        {"type": "health", "version": 1, "metrics": [], "x" * 100_000: 2},
    ],
)
def test_malformed_model_dicts_are_model_errors(document: Any) -> None:
    with pytest.raises(sk.ModelError) as info:
        sk.HealthModel.from_dict(document)
    assert len(str(info.value)) < 1_000


def test_a_playbook_dict_is_read_as_text_only() -> None:
    with pytest.raises(sk.ModelError, match=r"^hook: unknown key 'hook'"):
        sk.Playbook.from_dict({"version": 1, "text": "when a then b", "hook": "os.system"})
    with pytest.raises(sk.RuleSyntaxError, match="too long"):
        sk.Playbook.from_dict({"version": 1, "text": "when x > 1 then act\n" * 500_000})
    with pytest.raises(sk.ModelError, match="name must be text"):
        sk.Playbook.from_dict({"version": 1, "text": "when a then b", "name": _deep(10)})


def test_no_eval_exec_or_import_by_name_in_the_package() -> None:
    """Nothing in successkit turns text into code: no eval/exec/compile/__import__, no
    pickle or marshal loading, and modules are imported by name only from fixed tables."""
    root = Path(sk.__file__).parent
    seen_importers = set()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec", "compile", "__import__",
                                            "breakpoint"}, f"{path.name}: {node.func.id}()"
            elif isinstance(node.func, ast.Attribute):
                owner = getattr(node.func.value, "id", None)
                called = f"{owner}.{node.func.attr}"
                # loading pickles, running programs: never (dumping a pickle is fine)
                assert owner not in {"marshal", "yaml", "dill", "os", "subprocess"}, called
                assert called not in {"pickle.load", "pickle.loads", "builtins.eval"}, called
                if node.func.attr == "import_module":
                    seen_importers.add(path.relative_to(root).as_posix())
    # the lazy exports of successkit/__init__.py and the optional-dependency importer, both
    # from names written in the code (a fixed table, or a literal at each call site)
    assert seen_importers <= {"__init__.py", "_optional.py"}
