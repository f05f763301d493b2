"""The baseline for bench/load.py: a bare Flask app that answers every path and method."""

from flask import Flask

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def hello(path: str) -> str:
    return "<!DOCTYPE html><title>Hello</title><p>Hello, world</p>"
