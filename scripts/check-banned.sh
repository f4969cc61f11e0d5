#!/bin/sh
# Fail when a banned unsafe function appears in lynccheck's C sources
# (curl's checksrc habit): sprintf, vsprintf, strcpy, strcat, atoi, atol,
# sscanf, gets. Use snprintf, memcpy with a checked length, strtol.
set -u
top=${1:-.}
bad=$(grep -nE '(^|[^_a-z])(sprintf|vsprintf|strcpy|strcat|atoi|atol|sscanf|gets)[[:space:]]*\(' \
    "$top"/src/*.c "$top"/src/*.h "$top"/probes/*.c "$top"/tests/*.c 2>/dev/null ||
    true)
if [ -n "$bad" ]; then
    echo "banned functions used:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "check-banned: no banned functions"
