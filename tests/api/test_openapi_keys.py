"""The OpenAPI document is valid JSON for every reader: no key twice in one object (a
response declared both by the operation and by `openapi_extra` once gave two "200" keys,
which Swagger UI refuses to render)."""

import json

import pytest

pytestmark = pytest.mark.django_db


def test_no_object_of_the_openapi_document_repeats_a_key(client):
    repeated = []

    def keep(pairs):
        keys = [k for k, _v in pairs]
        repeated.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    document = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=keep)
    assert document["paths"]
    assert repeated == []
