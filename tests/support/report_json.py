"""Reading the JSON of the per-model commands (shapes, params, rf, verify, inputs): one model's
object alone (the contract of cli.md), several as ``{"models": [...]}`` of objects of the same
layout."""
import json


def models(text: str) -> list:
    data = json.loads(text)
    if set(data) == {"models"}:
        assert isinstance(data["models"], list) and len(data["models"]) > 1
        return data["models"]
    return [data]


def one_model(text: str) -> dict:
    found = models(text)
    assert len(found) == 1, f"{len(found)} models"
    return found[0]
