vcl 4.1;
# Varnish (Debian bookworm's 7.1) in front of the proxy: keeps the public pages the site marks
# `public, s-maxage=…` (frontcache/headers.py), serves them while the site is down
# (stale-if-error), and forgets a page when the site sends PURGE (or BAN) from an address in
# `purgers`. Everything else (staff, forms, thanks: `private, no-store`) passes through.
#
# The backend is the proxy's plain-HTTP edge listener (deploy/haproxy.cfg `frontend edge`);
# `make cluster-test` writes its port over BACKEND_PORT and runs this file (docs/DEPLOY.md).

import std;

backend proxy {
    .host = "127.0.0.1";
    .port = "BACKEND_PORT";
    .connect_timeout = 2s;
    .first_byte_timeout = 35s;
    # The proxy answers /healthz from a node; when no node can, the probe fails and every
    # cached page is served from grace (up to stale-if-error) instead of an error.
    .probe = {
        .request = "GET /healthz HTTP/1.1" "Host: localhost" "Connection: close";
        .interval = 1s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
    }
}

# Who may purge: the app nodes' workers. Loopback here; add the nodes' addresses.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        return (purge);
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # X-Ban-Url: a regular expression over paths, e.g. ^/articles/
        ban("obj.http.x-url ~ " + req.http.X-Ban-Url);
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # A public page is the same for every visitor (the site sends `public` only for those),
    # so a cookie does not stop a lookup; the backend decides what may be stored.
    if (std.healthy(req.backend_hint)) {
        # Site up: a stale copy only while it is refreshed in the background.
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_hash {
    # One site: the path alone names a page, whatever Host the client or purger sent.
    hash_data(req.url);
    return (lookup);
}

sub vcl_backend_response {
    set beresp.http.x-url = bereq.url;
    if (beresp.http.Cache-Control !~ "(?i)(^|,)\s*public\b" || beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)private|no-store|no-cache") {
        # Not a public page: never stored, and the next request goes to the site too.
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        # Keep serving the copy we have rather than the error.
        return (abandon);
    }
    if (beresp.http.Cache-Control ~ "stale-if-error=\d+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, ".*stale-if-error=(\d+).*", "\1") + "s", 0s);
    }
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
