"""The benchmark's own parts: its wrk parser and its generated articles."""

from io import StringIO

from django.core.management import call_command

from articles.models import ArticleVersion
from bench.content import write_articles
from bench.load import parse_wrk

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.10ms    3.20ms  80.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%   12.00ms
     90%   15.00ms
     99%    1.20s
  12000 requests in 5.00s, 100.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2400.50
Transfer/sec:     20.00MB
"""


def test_wrk_output_is_parsed_with_units():
    result = parse_wrk(WRK_OUTPUT)

    assert result.rps == 2400.50
    assert result.p50_ms == 0.85
    assert result.p99_ms == 1200.0
    assert result.non_2xx_3xx == 3


def test_generated_articles_are_valid_and_load(db, tmp_path):
    write_articles(tmp_path, 3)

    out = StringIO()
    call_command("load_content", str(tmp_path), stdout=out)

    assert out.getvalue().count("created v1") == 3
    assert ArticleVersion.objects.count() == 3
