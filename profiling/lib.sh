# Sourced by the profiling recipes. Talks to the relay's admin API:
#   RELAY_URL          default http://127.0.0.1:${RELAY_PORT:-2470}
#   RELAY_ADMIN_TOKEN  bearer token; on the appliance it is read from
#                      /etc/jlay/secrets.env when not set (needs root or group jlay)
#   JLAY_PROFILES_DIR  where results go (default ./profiles)
set -euo pipefail

relay_url=${RELAY_URL:-http://127.0.0.1:${RELAY_PORT:-2470}}
out_dir=${JLAY_PROFILES_DIR:-./profiles}

if [ -z "${RELAY_ADMIN_TOKEN:-}" ] && [ -r /etc/jlay/secrets.env ]; then
  RELAY_ADMIN_TOKEN=$(sed -n 's/^RELAY_ADMIN_TOKEN=//p' /etc/jlay/secrets.env)
fi
if [ -z "${RELAY_ADMIN_TOKEN:-}" ]; then
  echo "jlay: set RELAY_ADMIN_TOKEN (printed by the relay at start; on the appliance in /etc/jlay/secrets.env)" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "jlay: curl is needed" >&2; exit 2; }

stamp() { date -u +%Y%m%dT%H%M%SZ; }

# admin METHOD PATH OUTFILE [max-seconds]: calls the admin API, writes the body
# to OUTFILE, and stops with a message that says what went wrong.
admin() {
  local method=$1 path=$2 out=$3 max=${4:-60} code
  mkdir -p "$(dirname "$out")"
  code=$(curl -sS -X "$method" -H "Authorization: Bearer $RELAY_ADMIN_TOKEN" \
    --max-time "$max" -o "$out" -w '%{http_code}' "$relay_url$path") || {
    echo "jlay: cannot reach the relay at $relay_url (is it running? RELAY_URL/RELAY_PORT)" >&2
    rm -f "$out"; exit 3; }
  case "$code" in
    2??) return 0 ;;
    401|403) echo "jlay: $method $path: HTTP $code, the admin token was refused" >&2 ;;
    404|405) echo "jlay: $method $path: HTTP $code, this relay has no such admin endpoint (built before it existed?)" >&2 ;;
    *) echo "jlay: $method $path: HTTP $code: $(head -c 500 "$out")" >&2 ;;
  esac
  rm -f "$out"
  exit 4
}
