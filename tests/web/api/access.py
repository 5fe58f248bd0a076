"""Access rows of the ``api`` app: the token page, and the API without a token."""

from ..page_access import everyone, organiser_only, page

_no_token = everyone(401)

PAGES = [
    page("api:tokens", "/a/{demo}/api-tokens/", **{**organiser_only(200), "evaluator": 200}),
    page("api:tokens", "/a/{other}/api-tokens/", **{**organiser_only(403), "other_staff": 200}),
    page(
        "api:revoke",
        "/a/{demo}/api-tokens/0/revoke/",
        method="post",
        **{**organiser_only(404), "evaluator": 404},
    ),
    page("api:openapi-json", "/api/openapi.json", **everyone(200)),
    page("api:openapi-view", "/api/docs", **everyone(200)),
    page("api:assemblies", "/api/assemblies", **everyone(200)),
    page("api:assembly", "/api/assemblies/{demo}", **everyone(200)),
    page("api:assembly", "/api/assemblies/{other}", **everyone(404)),
    page("api:lottery", "/api/assemblies/{demo}/lottery", **everyone(200)),
    page("api:pool", "/api/assemblies/{demo}/pool", **_no_token),
    page("api:pool_import", "/api/assemblies/{demo}/pool", method="post", **_no_token),
    page("api:quotas", "/api/assemblies/{demo}/quotas", **_no_token),
    page("api:selection_runs", "/api/assemblies/{demo}/selection-runs", **_no_token),
    page("api:selection_run", "/api/assemblies/{demo}/selection-runs/1", **_no_token),
]
PAGES += [
    page("api:api-root", "/api/", **everyone(404)),
    page("api:recommendations", "/api/assemblies/{demo}/recommendations", **everyone(200)),
    page("api:tracker", "/api/assemblies/{demo}/tracker", **everyone(200)),
    page("api:tracker", "/api/assemblies/{other}/tracker", **everyone(404)),
    page("api:opinion_map", "/api/assemblies/{other}/opinion-map", **everyone(404)),
    page("api:statements", "/api/assemblies/{demo}/statements", **_no_token),
    page("api:votes", "/api/assemblies/{demo}/votes", **_no_token),
    page("api:tally", "/api/assemblies/{demo}/tally", **_no_token),
    page("api:evaluation_export", "/api/assemblies/{demo}/evaluation/responses", **_no_token),
]
