#!/bin/sh
# The real server the http-server tester is checked against: nginx, configured from the
# tester's arguments (--port N --directory D) and run in the foreground.
#
# Routes:   GET /               -> 200, empty body
#           GET /echo/{s}       -> 200 text/plain "{s}"
#           GET /user-agent     -> 200 text/plain, the User-Agent header's value
#           GET /files/{name}   -> the file D/{name}, application/octet-stream (404 if missing)
#           POST /files/{name}  -> writes the request body to D/{name}, 201 Created
#           anything else       -> 404
# nginx's WebDAV module writes files only for PUT, so a POST to /files/ is passed (as a
# PUT, with the same URI and body) to a second server block on a unix socket that does
# the write; its 201 Created comes back unchanged.
#
# Everything nginx writes (config, pid, temp bodies, the socket) stays in one mktemp -d
# folder, which this script removes when it is ended; nginx runs in the foreground as its
# child (daemon off), so ending the two leaves nothing running.
set -eu

port=""
directory=""
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --directory) directory="$2"; shift 2 ;;
        *) echo "oracle: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "$port" ]; then
    echo "oracle: --port N is required" >&2
    exit 2
fi
if [ -z "$directory" ]; then
    directory=$(pwd)
fi
directory=$(cd "$directory" && pwd)

# Remove the folders of earlier runs whose nginx has exited: each holds the pid of the
# process that made it, which exec turned into nginx. (A folder without one is still
# being set up by another run, unless it is older than a minute.)
base="${TMPDIR:-/tmp}"
for old in "$base"/crack-http-oracle.*; do
    [ -d "$old" ] || continue
    if [ -f "$old/owner.pid" ]; then
        owner=$(cat "$old/owner.pid")
        [ -n "$owner" ] && [ -d "/proc/$owner" ] && continue
    elif [ -z "$(find "$old" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then
        continue
    fi
    rm -rf "$old"
done

prefix=$(mktemp -d "$base/crack-http-oracle.XXXXXX")
# A unix socket path must stay under 108 bytes, which a deep $TMPDIR can exceed.
sockdir=$(mktemp -d /tmp/crack-http-sock.XXXXXX)
echo $$ > "$prefix/owner.pid"  # lets a later run remove it if this one was killed outright
mkdir -p "$prefix/body" "$prefix/proxy" "$prefix/fastcgi" "$prefix/uwsgi" "$prefix/scgi"

# As root, nginx's workers would switch to "nobody" and lose access to the directory.
user_line=""
if [ "$(id -u)" = "0" ]; then
    user_line="user root;"
fi

cat > "$prefix/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $prefix/nginx.pid;
error_log stderr warn;

events {
    worker_connections 256;
}

http {
    access_log off;
    client_body_temp_path $prefix/body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
    client_max_body_size 64m;
    client_body_buffer_size 1m;

    gzip on;
    gzip_types *;
    gzip_min_length 0;

    server {
        listen 127.0.0.1:$port;
        server_name _;
        default_type text/plain;

        location = / {
            return 200;
        }
        location ~ ^/echo/(.*)\$ {
            return 200 "\$1";
        }
        location = /user-agent {
            return 200 "\$http_user_agent";
        }
        location /files/ {
            alias $directory/;
            types { }
            default_type application/octet-stream;
            error_page 418 = @upload;
            if (\$request_method = POST) {
                return 418;
            }
        }
        location @upload {
            proxy_method PUT;
            proxy_pass http://unix:$sockdir/upload.sock;
        }
        location / {
            return 404;
        }
    }

    server {
        listen unix:$sockdir/upload.sock;
        location /files/ {
            alias $directory/;
            dav_methods PUT;
            dav_access user:rw group:r all:r;
        }
    }
}
CONF

# nginx runs as a child so that, when the tester ends this script, its folder goes too.
nginx -p "$prefix" -c "$prefix/nginx.conf" -e stderr -g 'daemon off;' &
nginx_pid=$!
finish() {
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    rm -rf "$prefix" "$sockdir"
}
trap 'finish; exit 0' TERM INT HUP
trap finish EXIT
wait "$nginx_pid"
