# lib.sh - shared code of the lab integration tests (tests/lab-*.test).
# shellcheck shell=bash
#
# Sourced by a test after it sets `me` (its name) and `script_dir` (the
# directory of the test script). A test then calls, in this order:
#   lab_paths                      find the source/build trees, the binary, the lab
#   lab_prereqs TOOL...            skip (77) unless root and TOOLs are installed
#   lab_lock_and_start             take the lab lock, make $work, start the lab
#                                  (or, with LC_LAB_SHARED=1, use the lab that
#                                  tests/lab/with-lab.sh started and holds)
#   run_scenarios NAME...          run lynccheck on scenarios, check their .expect
#   check_junit NAME               the JUnit report of a scenario against JUnit.xsd
#   lab_summary                    "N passed, N failed"; its status is the test's
# A test may define lab_cleanup_hook, run at exit before the lab stops.
#
# Assertions print one `ok`/`FAIL` line each and count into passed/failed.
# Format of the .expect files: tests/lab/README.md, "Expectations".

# ---------------------------------------------------------------- set-up

me=${me:?set me before sourcing lib.sh}
script_dir=${script_dir:?set script_dir before sourcing lib.sh}

say() { printf '%s: %s\n' "$me" "$*"; }
skip() {
    say "SKIP: $*"
    exit 77
}
hard() {
    say "ERROR: $*" >&2
    exit 99
}

# lab_is_asan BINARY: the binary is built with AddressSanitizer. Not
# `ldd | grep -q`: under pipefail, grep leaving at the first match can
# kill ldd with SIGPIPE, and the pipeline then says "no" (a lab-hostile run
# of the ASan build took it for the plain one and held it to its RSS bound).
lab_is_asan() {
    local libs
    libs=$(ldd "$1" 2>/dev/null) || return 1
    [[ $libs == *libasan* ]]
}

# Automake exports srcdir as the directory of the Makefile.am listing the
# test: the top of the tree (non-recursive make) or tests/.
lab_paths() {
    if [[ -n ${LC_TOP_SRCDIR:-} && -e $LC_TOP_SRCDIR/tests/lab/lab.sh ]]; then
        tests_srcdir=$(cd "$LC_TOP_SRCDIR/tests" && pwd)
    elif [[ -n ${srcdir:-} && -e $srcdir/lab/lab.sh ]]; then
        tests_srcdir=$(cd "$srcdir" && pwd)
    elif [[ -n ${srcdir:-} && -e $srcdir/tests/lab/lab.sh ]]; then
        tests_srcdir=$(cd "$srcdir/tests" && pwd)
    else
        tests_srcdir=$script_dir
    fi
    if [[ -n ${LC_TOP_BUILDDIR:-} ]]; then
        tests_builddir=$LC_TOP_BUILDDIR/tests
    elif [[ -n ${builddir:-} ]]; then
        tests_builddir=$builddir
    elif [[ -n ${abs_top_builddir:-} ]]; then
        tests_builddir=$abs_top_builddir/tests
    elif [[ -d $PWD/tests && -d $PWD/src ]]; then
        tests_builddir=$PWD/tests # run from the top build dir
    else
        tests_builddir=$script_dir
    fi

    LYNCCHECK=${LYNCCHECK:-$tests_builddir/../src/lynccheck}
    LC_RUN_TIMEOUT=${LC_RUN_TIMEOUT:-60}
    LAB=$tests_srcdir/lab/lab.sh
    SCENARIOS=$tests_srcdir/lab/scenarios
    JUNIT_XSD=${LC_JUNIT_XSD:-$tests_srcdir/JUnit.xsd}
    REPORT_SCHEMA=${LC_REPORT_SCHEMA:-$tests_srcdir/../doc/report.schema.json}
    export LC_LAB_NET=${LC_LAB_NET:-127.77}
    # One lock and one state dir per address prefix: labs on different
    # prefixes (LC_LAB_NET=127.71 ...) may run side by side.
    LOCK=$(lab_lock_file "$LC_LAB_NET")
    [[ $LC_LAB_NET == 127.77 ]] || export LC_LAB_DIR=${LC_LAB_DIR:-/tmp/lynccheck-lab-$LC_LAB_NET}
}

# lab_lock_file NET: the lock of the address prefix NET (127.N). Whoever uses
# the prefix's addresses holds it: a lab test, tests/lab/with-lab.sh for the
# tests it runs, lab-hostile.test.
lab_lock_file() {
    if [[ $1 == 127.77 ]]; then
        printf '/tmp/lynccheck-lab.lock\n'
    else
        printf '/tmp/lynccheck-lab-%s.lock\n' "$1"
    fi
}

lab_prereqs() { # TOOL...
    local tool missing=()
    ((EUID == 0)) || skip "the lab binds port 53 on loopback addresses: run as root"
    # LC_LAB_SMOKE=1 (make distcheck in scripts/test.sh): one smoke run of the
    # healthy lab by lab-dns.test; the other lab tests ran in the tree already.
    [[ -z ${LC_LAB_SMOKE:-} || $me == lab-dns.test ]] || skip "LC_LAB_SMOKE: only lab-dns.test runs"
    for tool; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    ((${#missing[@]} == 0)) || skip "missing ${missing[*]}: run tests/lab/lab.sh install"
    [[ -r $LAB ]] || hard "$LAB not found"
    [[ -x $LYNCCHECK ]] || hard "lynccheck binary $LYNCCHECK not found (set LYNCCHECK)"
}

lab_shared=0
lab_cleanup() {
    if declare -F lab_cleanup_hook >/dev/null; then
        lab_cleanup_hook
    fi
    schema_stop
    ((lab_shared)) || timeout 60 bash "$LAB" stop || say "warning: lab.sh stop failed"
    rm -rf -- "$work"
}

lab_lock_and_start() {
    local lab_env
    work=$(mktemp -d "/tmp/${me%.test}.XXXXXX") || hard "mktemp failed"
    trap lab_cleanup EXIT
    trap 'exit 99' INT TERM HUP

    if [[ -n ${LC_LAB_SHARED:-} ]]; then
        # tests/lab/with-lab.sh started the lab on this prefix, holds its
        # lock and stops it once every test has run: the lab starts once
        # per make check instead of once per test. The tests use it one
        # after the other (make check without -j): none changes the lab,
        # but the timed ones want it to themselves.
        lab_shared=1
        timeout 60 bash "$LAB" status >"$work/lab-status" 2>&1 ||
            hard "LC_LAB_SHARED is set but the lab on $LC_LAB_NET is not up: $(short "$(cat "$work/lab-status")")"
        say "using the lab tests/lab/with-lab.sh started on $LC_LAB_NET"
    else
        # One lab at a time on this prefix: every lab-*.test takes this lock
        # for its whole run.
        exec 9>"$LOCK" || hard "cannot open $LOCK"
        flock -w 900 9 || hard "could not lock $LOCK within 900 s"
        # LC_LAB_START_TIMEOUT: a machine shared by several builds can need longer.
        timeout "${LC_LAB_START_TIMEOUT:-180}" bash "$LAB" start || hard "the lab did not start"
    fi
    lab_env=$(timeout 10 bash "$LAB" env) || hard "lab.sh env failed"
    eval "$lab_env"
    NET=$LC_LAB_NET
}

# ---------------------------------------------------------------- assertions

passed=0
failed=0
ok() {
    passed=$((passed + 1))
    printf 'ok   %s\n' "$*"
}
bad() {
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$*"
}
short() { # one line, at most 200 characters
    local s=${1//[$'\n\r\t']/ }
    ((${#s} <= 200)) || s="${s:0:200}..."
    printf '%s' "$s"
}

# run_lc OUTPUT FORMAT SITE [ARGS...]: run lynccheck; sets lc_rc and lc_ms.
# True when it ended the Nagios way (exit 0-3), else says why and is false.
run_lc() {
    local out=$1 format=$2 site=$3 t0 t1
    shift 3
    rm -f "$out"
    t0=$(date +%s%N)
    timeout -k 5 "$LC_RUN_TIMEOUT" "$LYNCCHECK" --config "$site" --format "$format" \
        --output "$out" "$@" >"$out.stdout" 2>"$out.stderr" </dev/null
    lc_rc=$?
    t1=$(date +%s%N)
    lc_ms=$(((t1 - t0) / 1000000))
    ((lc_rc <= 3)) && return 0
    if ((lc_rc == 124 || lc_rc == 137)); then
        lc_why="still running after ${LC_RUN_TIMEOUT}s (killed)"
    elif ((lc_rc > 128)); then
        lc_why="killed by signal $((lc_rc - 128))"
    else
        lc_why="exit status $lc_rc"
    fi
    return 1
}

lc_stderr() { # OUTPUT: show what lynccheck said on stderr
    [[ -s $1.stderr ]] || return 0
    sed -n '1,20s/^/    stderr: /p' "$1.stderr"
}

# The exit status the Nagios convention asks for, from the report's statuses.
nagios_exit() {
    jq -r '[.checks[].status] as $s
        | if any($s[]; . == "fail") then 2 elif any($s[]; . == "error") then 3
          elif any($s[]; . == "warn") then 1 elif all($s[]; . == "skip") then 3
          else 0 end' "$1"
}

valid_report() { # JSON
    jq -e 'type == "object" and (.checks | type) == "array"
        and all(.checks[]; (.id | type) == "string" and (.status | type) == "string")' \
        "$1" >/dev/null 2>&1
}

# check_expect SCENARIO JSON EXPECTFILE RC
check_expect() {
    local name=$1 json=$2 expect=$3 rc=$4
    local line id want sub st found msg what scope="" only="" min="" others="" n offenders dups k
    local -a lines=() named=() pairs=() results=()

    while IFS= read -r line || [[ -n $line ]]; do
        line=${line//@NET@/$NET}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        read -r id want sub <<<"$line"
        case $id in
        scope) scope=$want ;;
        only-status) only=$want ;;
        min-checks) min=$want ;;
        others) others=$want ;;
        *)
            lines+=("$line")
            named+=("$id")
            ;;
        esac
    done <"$expect"

    dups=$(jq -r '[.checks[].id] | group_by(.) | map(select(length > 1)[0]) | join(" ")' "$json")
    if [[ -z $dups ]]; then
        ok "$name: check ids are unique"
    else
        bad "$name: duplicate check ids: $(short "$dups")"
    fi

    n=$(nagios_exit "$json")
    if [[ $n == "$rc" ]]; then
        ok "$name: exit status $rc matches the report"
    else
        bad "$name: exit status $rc, but the report's statuses call for $n"
    fi

    # One jq for every named check: "status<TAB>found<TAB>message" a line, in
    # the order of the lines (a jq per line cost a second per scenario).
    pairs=()
    for line in "${lines[@]}"; do
        read -r id want sub <<<"$line"
        pairs+=("$id" "$sub")
    done
    results=()
    ((${#pairs[@]} == 0)) || mapfile -t results < <(jq -r '
        [.checks[] | {key: .id, value: .}] | reverse | from_entries as $by
        | $ARGS.positional as $p | range(0; $p | length; 2) as $i
        | $p[$i] as $id | $p[$i + 1] as $sub
        | if $by | has($id) | not then ["absent", "true", ""]
          else $by[$id] as $c | ($c.message // "" | tostring) as $msg
          | [($c.status | tostring),
             (($msg + "\n" + ($c.evidence | tojson)) | contains($sub) | tostring),
             ($msg | gsub("[\t\n\r]"; " "))]
          end | @tsv' "$json" --args "${pairs[@]}")
    k=0
    for line in "${lines[@]}"; do
        read -r id want sub <<<"$line"
        IFS=$'\t' read -r st found msg <<<"${results[k]:-}"
        k=$((k + 1))
        what="$name: $id $want"
        [[ -z $sub ]] || what+=" '$sub'"
        if [[ ,$want, != *",$st,"* ]]; then
            bad "$what -> got $st: $(short "$msg")"
        elif [[ $st != absent && $found != true ]]; then
            bad "$what -> got $st but '$sub' is in neither message nor evidence: $(short "$msg")"
        else
            ok "$what -> $st${msg:+: $(short "$msg")}"
        fi
    done

    if [[ -n $only ]]; then
        offenders=$(jq -r --arg scope "$scope" --arg ok ",$only," '
            .checks[] | select(.id | startswith($scope))
            | (.status | tostring) as $s | select($ok | contains("," + $s + ",") | not)
            | "\(.id) \($s): \(.message // "" | tostring | gsub("[\t\n\r]"; " ") | .[0:160])"' "$json")
        if [[ -z $offenders ]]; then
            ok "$name: only-status $only (checks ${scope:-*})"
        else
            bad "$name: only-status $only (checks ${scope:-*}), but:"
            printf '%s\n' "$offenders" | sed 's/^/    /'
        fi
    fi
    if [[ -n $others ]]; then
        offenders=$(jq -r --arg scope "$scope" --arg ok ",$others," --arg named "$(printf '%s\n' "${named[@]}")" '
            ($named | split("\n")) as $n
            | .checks[] | select(.id | startswith($scope)) | select(.id as $i | $n | any(. == $i) | not)
            | (.status | tostring) as $s | select($ok | contains("," + $s + ",") | not)
            | "\(.id) \($s): \(.message // "" | tostring | gsub("[\t\n\r]"; " ") | .[0:160])"' "$json")
        if [[ -z $offenders ]]; then
            ok "$name: others $others (checks ${scope:-*} not named above)"
        else
            bad "$name: others $others (checks ${scope:-*} not named above), but:"
            printf '%s\n' "$offenders" | sed 's/^/    /'
        fi
    fi
    if [[ -n $min ]]; then
        n=$(jq --arg scope "$scope" '[.checks[] | select(.id | startswith($scope))] | length' "$json")
        if ((n >= min)); then
            ok "$name: min-checks $min (${scope:-*}: $n)"
        else
            bad "$name: min-checks $min (${scope:-*}): only $n"
            jq -r --arg scope "$scope" '.checks[] | select(.id | startswith($scope)) | "    \(.id) \(.status)"' "$json"
        fi
    fi
}

# JSON-schema validation, when a validator is at hand: validate_schema prints
# nothing when it cannot validate (schema_tool empty).
schema_tool=
schema_probed=0
find_schema_tool() {
    ((schema_probed == 0)) || return 0 # once per test: python3 takes a second to start
    schema_probed=1
    schema_tool=
    if [[ -r $REPORT_SCHEMA ]]; then
        if command -v check-jsonschema >/dev/null; then
            schema_tool=check-jsonschema
        elif command -v python3 >/dev/null && timeout 20 python3 -c 'import jsonschema' 2>/dev/null; then
            schema_tool=python3
        fi
    fi
}

# The python3 validator runs as a coprocess started on first use: it loads
# jsonschema and the schema once (a second per report otherwise), then reads
# one report path a line and answers with its errors, if any, and a line
# "=END= STATUS".
schema_py='
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
fc = getattr(cls, "FORMAT_CHECKER", None)
validator = cls(schema, format_checker=fc)
for path in sys.stdin:
    try:
        doc = json.load(open(path.rstrip("\n")))
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:10]:
            print("/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message[:200])
        status = 1 if errors else 0
    except Exception as e:
        print(type(e).__name__ + ": " + str(e)[:200])
        status = 1
    print("=END= %d" % status, flush=True)
'
schema_pid=
schema_start() {
    [[ -z $schema_pid ]] || return 0
    coproc SCHEMA_CO { exec python3 -c "$schema_py" "$REPORT_SCHEMA" 2>&1; }
    schema_pid=$SCHEMA_CO_PID
    schema_in=${SCHEMA_CO[1]} schema_out=${SCHEMA_CO[0]}
}
schema_stop() {
    [[ -n $schema_pid ]] || return 0
    eval "exec $schema_in>&-" 2>/dev/null
    kill "$schema_pid" 2>/dev/null
    wait "$schema_pid" 2>/dev/null
    schema_pid=
}
schema_ask() { # JSON: sets out and rc from the coprocess; false if it is gone
    local line
    out="" rc=1
    schema_start
    printf '%s\n' "$1" 1>&"$schema_in" 2>/dev/null || return 1
    while IFS= read -r -t 120 line <&"$schema_out"; do
        if [[ $line =~ ^=END=\ ([0-9]+)$ ]]; then
            rc=${BASH_REMATCH[1]}
            return 0
        fi
        out+=$line$'\n'
    done
    return 1
}

validate_schema() { # NAME JSON
    local out rc
    [[ -n $schema_tool ]] || return 0
    if [[ $schema_tool == check-jsonschema ]]; then
        out=$(timeout 60 check-jsonschema --schemafile "$REPORT_SCHEMA" "$2" 2>&1)
        rc=$?
    elif ! schema_ask "$2"; then
        out="the python3 jsonschema validator stopped answering: $out"
        rc=1
        schema_stop
    fi
    if ((rc == 0)); then
        ok "$1: JSON report validates against doc/report.schema.json"
    else
        bad "$1: JSON report does not validate against doc/report.schema.json:"
        printf '%s\n' "$out" | sed -n '1,12s/^/    /p'
    fi
}

# ---------------------------------------------------------------- scenarios

# run_scenarios NAME...: lynccheck on each scenario's site file (JSON report
# in $work/NAME.json), checked against scenarios/NAME.expect.
run_scenarios() {
    local name site json
    for name; do
        say "scenario $name"
        site=$(timeout 10 bash "$LAB" site "$name") || hard "lab.sh site $name failed"
        json=$work/$name.json
        if ! run_lc "$json" json "$site"; then
            bad "$name: lynccheck $lc_why"
            lc_stderr "$json"
            continue
        fi
        if ! valid_report "$json"; then
            bad "$name: no valid JSON report with a checks array (exit $lc_rc)"
            lc_stderr "$json"
            continue
        fi
        ok "$name: lynccheck exit $lc_rc in ${lc_ms} ms, $(jq '.checks | length' "$json") checks"
        check_expect "$name" "$json" "$SCENARIOS/$name.expect" "$lc_rc"
        validate_schema "$name" "$json"
    done
}

# check_junit NAME: the scenario's --format junit validates against JUnit.xsd
# with one testcase per check of its JSON report ($work/NAME.json, from
# run_scenarios). Leaves the scenario's site file in `site`.
check_junit() {
    local name=$1 xml out cases checks
    say "JUnit report of the $name scenario"
    site=$(timeout 10 bash "$LAB" site "$name") || hard "lab.sh site $name failed"
    xml=$work/$name.xml
    if ! run_lc "$xml" junit "$site"; then
        bad "junit: lynccheck $lc_why"
        lc_stderr "$xml"
    elif [[ ! -r $JUNIT_XSD ]]; then
        bad "junit: schema $JUNIT_XSD not found"
    elif out=$(timeout 30 xmllint --noout --schema "$JUNIT_XSD" "$xml" 2>&1); then
        ok "junit: validates against JUnit.xsd"
        cases=$(timeout 30 xmllint --xpath 'count(//testcase)' "$xml" 2>/dev/null)
        if [[ -r $work/$name.json ]] && valid_report "$work/$name.json"; then
            checks=$(jq '.checks | length' "$work/$name.json")
            if [[ $cases == "$checks" ]]; then
                ok "junit: $cases testcases, one per check of the JSON report"
            else
                bad "junit: $cases testcases, but the JSON report has $checks checks"
            fi
        fi
    else
        bad "junit: does not validate against JUnit.xsd:"
        printf '%s\n' "$out" | sed -n '1,12s/^/    /p'
    fi
}

lab_summary() {
    [[ -n $schema_tool ]] || say "note: JSON-schema validation skipped (no doc/report.schema.json or no validator)"
    echo "$passed passed, $failed failed"
    ((failed == 0))
}
