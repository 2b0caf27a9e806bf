"""Fetching a submission by URL (``ogpreg load https://...``), carefully.

* only ``http`` and ``https`` (no ``file:``, ``ftp:``, ``data:``...), with a valid host and port;
* the host name is resolved **once** (one ``getaddrinfo``) and **every** address it gives is
  checked: loopback, private, link-local, shared (CGNAT), benchmarking, documentation,
  multicast, reserved and unspecified addresses are refused unless the caller allows private
  addresses (``--allow-private-urls``), and so are IPv6 addresses that embed such an IPv4
  address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo);
* the connection goes to one of the addresses checked (:class:`_PinnedAdapter`): nothing
  resolves the name a second time, so a DNS answer that changes between the check and the
  connection ("DNS rebinding") cannot send the request elsewhere. The ``Host`` header, TLS
  SNI and the certificate check still use the host *name*;
* redirects are followed by hand (at most five); each new URL is resolved once and checked
  the same way;
* proxies and ``.netrc`` from the environment are ignored (``trust_env = False``): a proxy
  would resolve the name itself, after our check;
* a timeout on connect and read; a size limit (``OGPREG_MAX_UPLOAD_BYTES``), checked against
  ``Content-Length`` and while reading;
* the content type must be one a submission or an RDF file can have.
"""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from registry import TOOL
from registry.errors import RegistryError, SourceError, UsageError
from registry.i18n import N_, Msg, msg

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
#: One ``getaddrinfo`` answer: (family, type, proto, sockaddr).
AddrInfo = tuple[int, int, int, tuple[Any, ...]]

_N = ipaddress.ip_network
#: Refused whatever the Python version's ``ipaddress`` thinks (IANA special-purpose registries;
#: ``is_global`` changed between Python releases). Checked in addition to ``ipaddress``'s flags.
_REFUSED: tuple[Network, ...] = (
    _N("0.0.0.0/8"),  # "this network"
    _N("10.0.0.0/8"),
    _N("100.64.0.0/10"),  # shared address space (carrier-grade NAT)
    _N("127.0.0.0/8"),
    _N("169.254.0.0/16"),
    _N("172.16.0.0/12"),
    _N("192.0.0.0/24"),  # IETF protocol assignments
    _N("192.0.2.0/24"),  # documentation
    _N("192.88.99.0/24"),  # the former 6to4 relay anycast
    _N("192.168.0.0/16"),
    _N("198.18.0.0/15"),  # benchmarking
    _N("198.51.100.0/24"),
    _N("203.0.113.0/24"),
    _N("224.0.0.0/4"),  # multicast
    _N("240.0.0.0/4"),  # reserved, and the broadcast address
    _N("::/128"),
    _N("::1/128"),
    _N("::/96"),  # IPv4-compatible (deprecated): never a public server
    _N("64:ff9b:1::/48"),  # NAT64 for local use (RFC 8215)
    _N("100::/64"),  # discard
    _N("2001:db8::/32"),  # documentation
    _N("fc00::/7"),  # unique local
    _N("fe80::/10"),
    _N("fec0::/10"),  # former site-local
    _N("ff00::/8"),
)
_NAT64 = _N("64:ff9b::/96")  # RFC 6052 well-known prefix: the last 32 bits are the IPv4 address


@dataclass(frozen=True)
class Fetched:
    url: str
    name: str
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Target:
    """A URL resolved once and checked: where the connection may go."""

    url: str
    host: str
    port: int
    addresses: tuple[AddrInfo, ...]

    @property
    def ips(self) -> list[str]:
        return [str(a[3][0]) for a in self.addresses]


def _error(url: str, text: str, **params: object) -> SourceError:
    return SourceError(msg(text, url=url, **params), file=url)


def is_url(text: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text)) or text.startswith("file:")


def _embedded(ip: ipaddress.IPv6Address) -> list[tuple[ipaddress.IPv4Address, str]]:
    """IPv4 addresses an IPv6 address carries, with the name of the form."""
    found: list[tuple[ipaddress.IPv4Address, str]] = []
    if ip.ipv4_mapped is not None:
        found.append((ip.ipv4_mapped, "IPv4-mapped"))
    if ip.sixtofour is not None:
        found.append((ip.sixtofour, "6to4"))
    if ip.teredo is not None:
        server, client = ip.teredo
        found += [(client, "Teredo"), (server, "Teredo")]
    packed = int(ip)
    if ip in _NAT64:
        found.append((ipaddress.IPv4Address(packed & 0xFFFFFFFF), "NAT64"))
    elif packed >> 32 == 0 and packed > 1:
        found.append((ipaddress.IPv4Address(packed & 0xFFFFFFFF), "IPv4-compatible"))
    return found


def _v4_forbidden(ip: ipaddress.IPv4Address) -> bool:
    return (
        any(ip in net for net in _REFUSED)
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def forbidden(ip: Address) -> tuple[str, ...] | None:
    """None when ``ip`` is public; else why not: ``()`` for the address itself, or
    ``(embedded IPv4 address, form)`` when it embeds a forbidden IPv4 address.

    An IPv4-mapped or NAT64 (``64:ff9b::/96``) address is judged by the IPv4 address it
    reaches; every other IPv6 address by itself and by every IPv4 address it embeds (6to4,
    Teredo server and client, IPv4-compatible).
    """
    if isinstance(ip, ipaddress.IPv4Address):
        return () if _v4_forbidden(ip) else None
    embedded = _embedded(ip)
    for v4, form in embedded:
        if _v4_forbidden(v4):
            return (str(v4), form)
    if ip.ipv4_mapped is not None or ip in _NAT64:
        return None  # judged by the IPv4 address it reaches, which is public
    if (
        any(ip in net for net in _REFUSED)
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_site_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        return ()
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_address(
    url: str, ip: Address, *, allow_private: bool, allowed: Iterable[Network] = (),
    host: str | None = None,
) -> None:
    """Refuse ``ip`` unless it is a public address (or private addresses are allowed)."""
    if allow_private or any(ip in net for net in allowed):
        return
    why = forbidden(ip)
    if why is None:
        return
    name = host if host is not None and not _is_ip(host) else None
    where = {"url": url, "host": name, "ip": str(ip), "v4": why[0] if why else "",
             "form": why[1] if why else ""}
    if name and why:
        head = msg("{url}: {host} resolves to {ip}, an address embedding the IPv4 address {v4} "
                   "({form}), which is", **where)
    elif name:
        head = msg("{url}: {host} resolves to {ip}, which is", **where)
    elif why:
        head = msg("{url}: the address {ip} embeds the IPv4 address {v4} ({form}), which is",
                   **where)
    else:
        head = msg("{url}: the address {ip} is", **where)
    raise _error(
        url,
        "{head} local, private or reserved (loopback, private network, link-local or "
        "similar); such addresses are not fetched. Pass --allow-private-urls if you really "
        "mean to fetch from an internal network.",
        head=head,
    )


def _bad_url(url: str, *, redirected: bool, what: str, **params: object) -> RegistryError:
    """A malformed URL (``what`` is wrong with it, a msgid with ``params``): a usage error when
    the user typed it, a source error after a redirect."""
    if redirected:
        return _error(
            url, "{url}: the server redirected to an invalid URL: {what}",
            what=msg(what, **params),
        )
    return UsageError(msg("{url}: {what}", url=url, what=msg(what, **params)))


def check_url(
    url: str,
    *,
    allow_private: bool,
    allowed: Iterable[Network] = (),
    redirected: bool = False,
) -> Target:
    """Resolve the host of ``url`` once and check every address; the checked target.

    Refuses a URL that is not http(s), has no host or an invalid port, or whose host resolves
    to a forbidden address (see :func:`forbidden`).
    """
    allowed = tuple(allowed)
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise _bad_url(
            url, redirected=redirected,
            what=N_(
                "the URL is invalid ({detail}). The port must be a number from 1 to 65535, and "
                "an IPv6 address is written in brackets, as in http://[2001:db8::1]:8080/file.csv."
            ),
            detail=exc,
        ) from exc
    if parts.scheme not in ("http", "https"):
        raise _error(
            url,
            "{url}: only http and https addresses can be fetched (not {scheme}:). Download the "
            "file and give it as a file.",
            scheme=parts.scheme or "?",
        )
    if not host:
        raise _bad_url(url, redirected=redirected, what=N_("the URL has no host."))
    if port == 0:
        raise _bad_url(url, redirected=redirected, what=N_("port 0 cannot be used (1–65535)."))
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    try:
        # The URL as requests will send it (an international name in its ASCII form): the name
        # resolved here is the one in the Host header and TLS SNI.
        prepared = str(requests.Request("GET", url).prepare().url)
        ascii_host = urlsplit(prepared).hostname or host
    except (requests.RequestException, ValueError) as exc:
        raise _bad_url(
            url, redirected=redirected, what=N_("the URL is invalid ({detail})."), detail=exc
        ) from exc
    try:
        infos = socket.getaddrinfo(ascii_host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _error(
            url,
            "{url}: cannot resolve the host {host} ({detail}).",
            host=host,
            detail=exc,
        ) from exc
    addresses: list[AddrInfo] = []
    for family, type_, proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        check_address(url, ip, allow_private=allow_private, allowed=allowed, host=host)
        addresses.append((family, type_, proto, tuple(sockaddr)))
    if not addresses:
        raise _error(url, "{url}: the host {host} has no IP address.", host=host)
    return Target(prepared, ascii_host, port, tuple(addresses))


# --- connecting to the checked addresses only -------------------------------------------


def _norm(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _connect(conn: HTTPConnection, target: Target) -> socket.socket:
    """A socket connected to one of ``target``'s checked addresses (in the resolver's order)."""
    if _norm(conn.host) != _norm(target.host) or conn.port != target.port:
        # Only the request this adapter was made for may use it.
        raise NewConnectionError(conn, f"not the checked target {target.host}:{target.port}")
    last: OSError | None = None
    for family, type_, proto, sockaddr in target.addresses:
        sock = socket.socket(family, type_, proto)
        try:
            for opt in conn.socket_options or ():
                sock.setsockopt(*opt)
            if isinstance(conn.timeout, int | float):
                sock.settimeout(conn.timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    if isinstance(last, TimeoutError):
        raise ConnectTimeoutError(conn, f"Connection to {target.host} timed out") from last
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last}") from last


def _pools(target: Target) -> dict[str, type[HTTPConnectionPool]]:
    class PinnedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _connect(self, target)

    class PinnedHTTPSConnection(HTTPSConnection):
        # connect() wraps what _new_conn returns in TLS with server_hostname = self.host: SNI
        # and the certificate check use the host name, not the address.
        def _new_conn(self) -> socket.socket:
            return _connect(self, target)

    class PinnedHTTPPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTPConnection

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    return {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}


class _PinnedAdapter(HTTPAdapter):
    """A requests transport whose connections go to ``target``'s checked addresses only."""

    def __init__(self, target: Target) -> None:
        self._target_pools = _pools(target)
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._target_pools


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (requests and urllib3 wrap the socket's error several times)."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        cur = todo.pop(0)
        if cur is None or any(cur is f for f in found):
            continue
        found.append(cur)
        reason = getattr(cur, "reason", None)  # MaxRetryError's; an SSL error's is a str
        todo += [reason if isinstance(reason, BaseException) else None]
        todo += [cur.__cause__, cur.__context__]
        todo += [a for a in cur.args if isinstance(a, BaseException)]
    return found


def _reason(exc: BaseException) -> Msg | str:
    """What went wrong with a connection: a message, or the system's own words (the error
    text of the operating system, or the exception's name)."""
    causes = _causes(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return msg("the TLS check failed ({detail})", detail=exc)
    for c in causes:
        if isinstance(c, TimeoutError):  # socket.timeout; urllib3's own are not OSErrors
            break
        if isinstance(c, OSError) and c.errno is not None:
            if c.errno == errno.ECONNREFUSED:
                return msg("connection refused")
            if c.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
                return msg("the host cannot be reached")
            return str(c.strerror)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return msg("timed out connecting")
    if isinstance(exc, requests.exceptions.Timeout):
        return msg("the server did not answer in time")
    return type(exc).__name__


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
    verify: bool | str = True,
) -> Fetched:
    """The bytes at ``url`` (see the module docstring for what is refused).

    ``allowed`` lists networks accepted although private; ``verify`` is requests' TLS
    verification (a CA bundle path in tests).
    """
    allowed = tuple(allowed)
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        target = check_url(current, allow_private=allow_private, allowed=allowed,
                           redirected=hop > 0)
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc from the environment
        adapter = _PinnedAdapter(target)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            try:
                r = session.get(target.url, timeout=timeout, allow_redirects=False, stream=True,
                                verify=verify,
                                headers={"User-Agent": TOOL, "Accept": ", ".join(CONTENT_TYPES)})
            except requests.RequestException as exc:
                where = target.host
                if not _is_ip(where):
                    where += " (" + ", ".join(target.ips) + ")"
                raise _error(current, "{url}: could not fetch the file from {where}: {reason}.",
                             where=where, reason=_reason(exc)) from exc
            with r:
                if r.is_redirect:
                    location = r.headers.get("Location", "")
                    try:
                        current = urljoin(current, location)
                    except ValueError as exc:
                        raise _bad_url(
                            current, redirected=True, what=N_("{location} ({detail})."),
                            location=location, detail=exc,
                        ) from exc
                    continue
                return _read(current, r, max_bytes)
        finally:
            session.close()
    raise _error(url, "{url}: too many redirects (more than {n}).", n=MAX_REDIRECTS)


def _read(url: str, r: requests.Response, max_bytes: int) -> Fetched:
    if r.status_code != 200:
        raise _error(url, "{url}: the server answered {status}.", status=r.status_code)
    content_type = r.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise _error(
            url,
            "{url}: the content type {ctype!r} is not a submission (XLSX, CSV, JSON) or RDF. "
            "Check that the URL points to the file itself, not to a web page.",
            ctype=content_type or "(none)",
        )
    too_big = _error(
        url,
        "{url}: the file is larger than the limit of {limit} bytes (OGPREG_MAX_UPLOAD_BYTES).",
        limit=max_bytes,
    )
    length = r.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in r.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise too_big
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise _error(url, "{url}: reading was interrupted: {reason}.",
                     reason=_reason(exc)) from exc
    return Fetched(url, _name_of(url, r, content_type), b"".join(chunks), content_type)

