"""The deployment kit in deploy/: every setting documented, the configs accepted by the tools that
read them (where those tools are installed here; skipped with the reason otherwise)."""

import re
import shutil
import subprocess

import pytest

from portal.config import ROOT

DEPLOY = ROOT / "deploy"


def test_env_example_documents_every_setting():
    read = set(re.findall(r"PORTAL_[A-Z_]+", (ROOT / "portal" / "config.py").read_text()))
    read.discard("PORTAL_")
    documented = set(re.findall(r"PORTAL_[A-Z_]+", (DEPLOY / "env.example").read_text()))
    assert read - documented == set()


def test_gunicorn_config_loads_and_its_logger_hides_short_link_tokens():
    namespace = {}
    exec((DEPLOY / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own config file
    assert namespace["logger_class"] == "portal.logs.access.RedactingLogger"
    assert (
        "%(U)s" in namespace["access_log_format"] and "%(q)s" not in namespace["access_log_format"]
    )
    from portal.logs.access import RedactingLogger  # noqa: F401 - importable by gunicorn


@pytest.mark.skipif(
    not shutil.which("nginx"), reason="nginx is not installed (apt-get install nginx)"
)
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
                    "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem")], check=True, capture_output=True)  # fmt: skip
    site = (DEPLOY / "nginx" / "ankomst.conf").read_text()
    site = site.replace("/etc/ssl/ankomst/fullchain.pem", str(tmp_path / "c.pem"))
    site = site.replace("/etc/ssl/ankomst/privkey.pem", str(tmp_path / "k.pem"))
    site = site.replace("/var/log/nginx/ankomst.access.log", str(tmp_path / "access.log"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log; pid {tmp_path}/nginx.pid; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_units_verify(tmp_path):
    units = []
    for unit in (DEPLOY / "systemd").iterdir():
        text = (
            unit.read_text()
            .replace("/opt/ankomst", str(ROOT))
            .replace("/etc/ankomst/env", str(tmp_path / "env"))
        )
        text = text.replace("User=ankomst", "User=root").replace("Group=ankomst", "Group=root")
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    (tmp_path / "env").write_text("")
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(
    not shutil.which("nginx"), reason="nginx is not installed (apt-get install nginx)"
)
@pytest.mark.parametrize("site", ["compose.conf", "local.conf"])
def test_nginx_accepts_the_buffering_proxies(tmp_path, site):
    """The compose file's proxy service and `make run`'s proxy (deploy/run-local fills in the
    local one's paths)."""
    text = (DEPLOY / "nginx" / site).read_text().replace("server web:8000", "server 127.0.0.1:9")
    for placeholder, value in {"@RUN@": tmp_path, "@SHARED@": tmp_path, "@LISTEN@": "127.0.0.1:9",
                               "@SOCKET@": tmp_path / "g.sock", "@STATIC@": tmp_path}.items():  # fmt: skip
        text = text.replace(placeholder, str(value))
    if site == "compose.conf":  # a server block inside the image's http block
        text = f"error_log {tmp_path}/e.log; pid {tmp_path}/n.pid; events {{}}\nhttp {{ {text} }}\n"
    (tmp_path / "nginx.conf").write_text(text)
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "client_header_timeout 10s" in text and "client_max_body_size 64k" in text


def test_the_compose_file_publishes_only_the_proxy():
    compose = (DEPLOY / "compose.yaml").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n  outbox:\n", 1)[0]
    assert "ports:" not in web and 'expose: ["8000"]' in web
    assert "./nginx/compose.conf:/etc/nginx/conf.d/default.conf" in compose
