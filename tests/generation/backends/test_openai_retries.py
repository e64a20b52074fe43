"""The openai backend's retries, against a small local HTTP server that fails on purpose
(a real server cannot be made to return 503 on demand)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Prompt, Sampling
from rlvr_audit.generation.backends import get_backend


class FlakyServer:
    """Answers /v1/completions with `statuses` in turn (then 200 forever)."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append(body)
                status = owner.statuses.pop(0) if owner.statuses else 200
                if status == 200:
                    payload = {
                        "id": "c",
                        "object": "text_completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [
                            {"index": k, "text": f"sample {k} seed {body['seed']}", "finish_reason": "length"}
                            for k in range(body["n"])
                        ],
                        "usage": {
                            "prompt_tokens": 3,
                            "completion_tokens": 4 * body["n"],
                            "total_tokens": 3 + 4 * body["n"],
                        },
                    }
                else:
                    payload = {"error": {"message": f"status {status}", "type": "x", "code": status}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def flaky():
    servers = []

    def make(statuses):
        servers.append(FlakyServer(statuses))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.mark.parametrize(
    "statuses, max_retries, outcome",
    [
        ([], 0, "ok"),
        ([503, 500], 2, "ok"),
        ([429], 1, "ok"),
        ([503, 503, 503], 2, "failed after 3 attempts"),
        ([400], 5, "refused the request (400)"),
        ([404], 5, "refused the request (404)"),
    ],
)
def test_retries_server_errors_only(flaky, statuses, max_retries, outcome):
    server = flaky(statuses)
    backend = get_backend("openai", "m", base_url=server.url, max_retries=max_retries, backoff=0.01)
    sampling = Sampling(temperature=1.0, max_tokens=4, n=2)
    if outcome == "ok":
        [(index, completions)] = list(backend.generate([Prompt("raw", text="hi")], sampling, seeds=[7]))
        assert index == 0
        assert [c.text for c in completions] == ["sample 0 seed 7", "sample 1 seed 7"]
        assert all(c.prompt_tokens == 3 and c.finish_reason == "length" for c in completions)
        assert len(server.requests) == len(statuses) + 1
    else:
        with pytest.raises(AuditError) as err:
            list(backend.generate([Prompt("raw", text="hi")], sampling, seeds=[7]))
        assert outcome in err.value.one_line()
        expected_attempts = max_retries + 1 if statuses[0] >= 500 else 1
        assert len(server.requests) == expected_attempts
    backend.close()


def test_requests_carry_seed_n_and_stop(flaky):
    server = flaky([])
    backend = get_backend("openai", "m", base_url=server.url, max_concurrency=3)
    prompts = [Prompt("raw", text=f"q{i}", stop=("\n\n",), include_stop=True) for i in range(5)]
    results = dict(
        backend.generate(prompts, Sampling(temperature=0.5, top_p=0.9, n=3, max_tokens=9), seeds=[10, 11, 12, 13, 14])
    )
    assert sorted(results) == [0, 1, 2, 3, 4]
    by_prompt = {r["prompt"]: r for r in server.requests}
    for i in range(5):
        r = by_prompt[f"q{i}"]
        assert (r["seed"], r["n"], r["max_tokens"], r["stop"]) == (10 + i, 3, 9, ["\n\n"])
        assert r["include_stop_str_in_output"] is True and r["top_p"] == 0.9
        assert results[i][0].text == f"sample 0 seed {10 + i}"
    backend.close()


def test_greedy_asks_once_and_copies(flaky):
    server = flaky([])
    backend = get_backend("openai", "m", base_url=server.url)
    [(_, completions)] = list(backend.generate([Prompt("raw", text="q")], Sampling(temperature=0.0, n=4, max_tokens=2)))
    assert server.requests[0]["n"] == 1
    assert len(completions) == 4 and len({c.text for c in completions}) == 1
    backend.close()
