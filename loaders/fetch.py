"""Fetching a submission by URL (``ogpreg load https://...``), carefully.

* only ``http`` and ``https`` (no ``file:``, ``ftp:``, ``data:``...);
* the host name is resolved and **every** address is checked: loopback, private, link-local,
  multicast, reserved and unspecified addresses are refused unless the caller allows private
  addresses (``--allow-private-urls``); the address the connection actually went to is
  checked again, so a DNS answer that changes between check and connect is caught;
* redirects are followed by hand (at most five) and each new URL is checked the same way;
* a timeout on connect and read; a size limit (``OGPREG_MAX_UPLOAD_BYTES``), checked against
  ``Content-Length`` and while reading;
* the content type must be one a submission or an RDF file can have.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

import requests

from registry import TOOL
from registry.errors import SourceError
from registry.i18n import msg

TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
MAX_REDIRECTS = 5
#: Content types accepted, and the file extension they imply when the URL has none.
CONTENT_TYPES: dict[str, str] = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/csv": ".csv",
    "application/csv": ".csv",
    "text/plain": ".csv",
    "application/json": ".json",
    "text/turtle": ".ttl",
    "application/trig": ".trig",
    "application/n-triples": ".nt",
    "application/n-quads": ".nq",
    "application/ld+json": ".jsonld",
    "application/rdf+xml": ".rdf",
    "application/octet-stream": "",
}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Fetched:
    url: str
    name: str
    data: bytes
    content_type: str


def _error(url: str, nb: str, en: str, **params: object) -> SourceError:
    return SourceError(msg(nb, en, url=url, **params), file=url)


def is_url(text: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text)) or text.startswith("file:")


def _forbidden(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _forbidden(ip.ipv4_mapped)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_address(
    url: str, ip: Address, *, allow_private: bool, allowed: Iterable[Network] = ()
) -> None:
    """Refuse ``ip`` unless it is a public address (or private addresses are allowed)."""
    if allow_private or any(ip in net for net in allowed):
        return
    if _forbidden(ip):
        raise _error(
            url,
            "{url}: adressen {ip} er lokal eller privat (loopback, privat nett eller "
            "link-local), og slike adresser hentes ikke. Bruk --allow-private-urls hvis du "
            "virkelig vil hente fra et internt nett.",
            "{url}: the address {ip} is local or private (loopback, private network or "
            "link-local), and such addresses are not fetched. Pass --allow-private-urls if you "
            "really mean to fetch from an internal network.",
            ip=str(ip),
        )


def check_url(url: str, *, allow_private: bool, allowed: Iterable[Network] = ()) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to a forbidden address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise _error(
            url,
            "{url}: bare http- og https-adresser kan hentes (ikke {scheme}:). Last ned filen og "
            "oppgi den som fil.",
            "{url}: only http and https addresses can be fetched (not {scheme}:). Download the "
            "file and give it as a file.",
            scheme=parts.scheme or "?",
        )
    host = parts.hostname
    if not host:
        raise _error(url, "{url}: adressen mangler vertsnavn.", "{url}: the URL has no host.")
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise _error(
            url,
            "{url}: finner ikke verten {host} ({detail}).",
            "{url}: cannot resolve the host {host} ({detail}).",
            host=host,
            detail=exc,
        ) from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        check_address(url, ip, allow_private=allow_private, allowed=allowed)


def _peer(response: requests.Response) -> Address | None:
    """The address the response actually came from, where urllib3 tells it."""
    conn = getattr(response.raw, "connection", None) or getattr(response.raw, "_connection", None)
    sock = getattr(conn, "sock", None)
    try:
        host = sock.getpeername()[0] if sock is not None else None
    except OSError:
        return None
    return ipaddress.ip_address(host.split("%", 1)[0]) if host else None


def _name_of(url: str, response: requests.Response, content_type: str) -> str:
    cd = response.headers.get("Content-Disposition", "")
    m = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', cd, re.IGNORECASE)
    if m:
        return unquote(m.group(1)).rsplit("/", 1)[-1]
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "submission"
    if "." not in name:
        name += CONTENT_TYPES.get(content_type, "")
    return name


def fetch(
    url: str,
    *,
    max_bytes: int,
    allow_private: bool = False,
    allowed: Iterable[Network] = (),
    timeout: tuple[float, float] = TIMEOUT,
) -> Fetched:
    """The bytes at ``url`` (see the module docstring for what is refused)."""
    allowed = tuple(allowed)
    current = url
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc from the environment
    try:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_private=allow_private, allowed=allowed)
            try:
                r = session.get(current, timeout=timeout, allow_redirects=False, stream=True,
                                headers={"User-Agent": TOOL, "Accept": ", ".join(CONTENT_TYPES)})
            except requests.RequestException as exc:
                raise _error(current, "{url}: kunne ikke hente filen ({detail}).",
                             "{url}: could not fetch the file ({detail}).",
                             detail=type(exc).__name__) from exc
            with r:
                peer = _peer(r)
                if peer is not None:
                    check_address(current, peer, allow_private=allow_private, allowed=allowed)
                if r.is_redirect:
                    location = r.headers.get("Location", "")
                    current = urljoin(current, location)
                    continue
                return _read(current, r, max_bytes)
        raise _error(url, "{url}: for mange videresendinger (over {n}).",
                     "{url}: too many redirects (more than {n}).", n=MAX_REDIRECTS)
    finally:
        session.close()


def _read(url: str, r: requests.Response, max_bytes: int) -> Fetched:
    if r.status_code != 200:
        raise _error(url, "{url}: tjeneren svarte {status}.",
                     "{url}: the server answered {status}.", status=r.status_code)
    content_type = r.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise _error(
            url,
            "{url}: innholdstypen {ctype!r} er ikke en innsending (XLSX, CSV, JSON) eller RDF. "
            "Kontroller at adressen peker på selve filen, ikke en nettside.",
            "{url}: the content type {ctype!r} is not a submission (XLSX, CSV, JSON) or RDF. "
            "Check that the URL points to the file itself, not to a web page.",
            ctype=content_type or "(none)",
        )
    too_big = _error(
        url,
        "{url}: filen er større enn grensen på {limit} byte (OGPREG_MAX_UPLOAD_BYTES).",
        "{url}: the file is larger than the limit of {limit} bytes (OGPREG_MAX_UPLOAD_BYTES).",
        limit=max_bytes,
    )
    length = r.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in r.iter_content(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return Fetched(url, _name_of(url, r, content_type), b"".join(chunks), content_type)
