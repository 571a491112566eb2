"""The ceiling for ``bench.load``: a hello-world Flask view under the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, world!"


@app.route("/healthz")
def healthz() -> str:
    return "ok"
