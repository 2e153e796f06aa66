#!/usr/bin/env bash
# The project driver behind `make run`, `make test` and `make bench`.
#
#   tools/kam.sh run     serve kam_key_account with demo data on http://127.0.0.1:8069
#   tools/kam.sh test    fresh databases, install the modules, run both pytest-odoo suites: tests/ on
#                        the core without Invoicing, tests_account/ on the bridge with account and sale
#   tools/kam.sh bench   the side-by-side benchmarks of bench/ on a populated database (SIZE=small|full)
#   tools/kam.sh load    Odoo with 4 workers and JSON-RPC clients racing on shared records
#   tools/kam.sh shell   an Odoo shell on the `make run` database
#   tools/kam.sh odoo    print where Odoo is (cloning it when it is missing)
#   tools/kam.sh dist    build the wheels odoo-addon-kam_key_account(_account) into dist/
#   tools/kam.sh lint    ruff and pylint-odoo (pinned in requirements-lint.txt); README.rst up to date
#
# Odoo 19.0 is found through $ODOO_SRC, else an importable `odoo` package, else /opt/odoo,
# else it is cloned (shallow) into .local/odoo from $ODOO_REPO at $ODOO_REF (odoo/odoo, 19.0).
# The database is a private PostgreSQL cluster in .local/ (or, as root when the postgres
# user cannot reach the clone, under /tmp) unless PGHOST/PGPORT/PGUSER or ODOO_RC are set.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=kam_key_account
# The bridge to Odoo's books: auto-installed with `account`; its suite runs on its own template.
BRIDGE=kam_key_account_account
BRIDGE_TEMPLATE_EXTRA=sale
STATE=${KAM_STATE_DIR:-$ROOT/.local}
VENV=${KAM_VENV:-$ROOT/.venv}
RUN_DB=${KAM_DB:-kam}
TEST_DB=${KAM_TEST_DB:-kam_test}
HTTP_PORT=${KAM_HTTP_PORT:-8069}
PG_PORT=${KAM_PG_PORT:-5433}

say() { printf '\033[1m[kam]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[kam] %s\033[0m\n' "$*" >&2; exit 1; }

# --- Odoo -----------------------------------------------------------------------------
is_odoo19() { [ -f "$1/odoo/release.py" ] && grep -q "^version_info = (19, 0," "$1/odoo/release.py"; }

# Where Odoo comes from, first found wins: $ODOO_SRC, an importable `odoo` package, /opt/odoo
# ($KAM_SYSTEM_ODOO), an earlier clone in .local/odoo, else a fresh shallow clone there.
find_odoo() {
    local src="" candidate
    if [ -n "${ODOO_SRC:-}" ]; then
        is_odoo19 "$ODOO_SRC" || die "ODOO_SRC=$ODOO_SRC does not hold Odoo 19.0 (no odoo/release.py of 19.0 there)."
        src=$ODOO_SRC
    else
        for candidate in \
                "$(python3 -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))' 2>/dev/null)" \
                "${KAM_SYSTEM_ODOO:-/opt/odoo}" \
                "$(fetched_odoo)"; do
            if [ -n "$candidate" ] && is_odoo19 "$candidate"; then
                src=$candidate
                break
            fi
        done
        [ -n "$src" ] || src=$(fetch_odoo)
    fi
    ODOO_SRC=$(cd "$src" && pwd)
    ADDONS_PATH=$ODOO_SRC/odoo/addons
    [ -d "$ODOO_SRC/addons" ] && ADDONS_PATH=$ODOO_SRC/addons,$ADDONS_PATH
    ADDONS_PATH=$ADDONS_PATH,$ROOT
    export ODOO_SRC
}

ODOO_CLONE=$STATE/odoo
ODOO_REPO_URL=${ODOO_REPO:-https://github.com/odoo/odoo}
ODOO_REF_NAME=${ODOO_REF:-19.0}

# A clone is trusted only once complete: it is made beside its final place and moved there,
# with a stamp naming its source, after it proved to be Odoo 19.0.
fetched_odoo() {
    [ "$(cat "$ODOO_CLONE/.kam-source" 2>/dev/null)" = "$ODOO_REPO_URL $ODOO_REF_NAME" ] && echo "$ODOO_CLONE"
    return 0
}

fetch_odoo() {
    local partial=$ODOO_CLONE.partial
    say "Odoo 19.0 not found: cloning $ODOO_REPO_URL ($ODOO_REF_NAME) into $ODOO_CLONE" \
        "(shallow, about 1 GB; ODOO_REPO and ODOO_REF choose another source)"
    rm -rf "$partial"
    mkdir -p "$partial"
    # init + fetch rather than clone -b: ODOO_REF may be a branch, a tag or a commit.
    if git -C "$partial" init -q \
            && git -C "$partial" fetch --depth 1 --progress "$ODOO_REPO_URL" "$ODOO_REF_NAME" >&2 \
            && git -C "$partial" -c advice.detachedHead=false checkout -q FETCH_HEAD \
            && is_odoo19 "$partial"; then
        echo "$ODOO_REPO_URL $ODOO_REF_NAME" > "$partial/.kam-source"
        rm -rf "$ODOO_CLONE"
        mv "$partial" "$ODOO_CLONE"
        say "Odoo 19.0 is in $ODOO_CLONE; later runs reuse it"
        echo "$ODOO_CLONE"
        return
    fi
    rm -rf "$partial"
    die "Could not get Odoo 19.0 from $ODOO_REPO_URL ($ODOO_REF_NAME).
  Provide its source tree in one of these ways:
    - export ODOO_SRC=/path/to/odoo   (a checkout of odoo/odoo at branch 19.0)
    - make the 'odoo' package importable by python3
    - unpack it into /opt/odoo, e.g.
        git clone --depth 1 -b 19.0 https://github.com/odoo/odoo /opt/odoo
  or point ODOO_REPO (and ODOO_REF) at a reachable copy of Odoo 19.0."
}

# --- Python ---------------------------------------------------------------------------
ensure_venv() {
    local stamp want
    want=$( { cat "$ODOO_SRC/requirements.txt" 2>/dev/null; cat "$ROOT/requirements.txt"; } | sha1sum | cut -c1-16)
    stamp=$VENV/.kam-requirements
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    say "building the Python environment in $VENV (once; about two minutes)"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip wheel 'setuptools<81'
    if [ -f "$ODOO_SRC/requirements.txt" ]; then
        # Our own pins (cbor2) replace Odoo's where both name a package.
        grep -v -i '^cbor2==' "$ODOO_SRC/requirements.txt" > "$VENV/odoo-requirements.txt"
        "$VENV/bin/pip" install -q -r "$VENV/odoo-requirements.txt" -r "$ROOT/requirements.txt"
    else
        "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt"
    fi
    echo "$want" > "$stamp"
}

# --- PostgreSQL -----------------------------------------------------------------------
PG_STARTED=""
external_db() { [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}${ODOO_RC:-}" ]; }

# runuser lives in /usr/sbin, which a minimal PATH (env -i, some CI runners) leaves out.
PATH=$PATH:/usr/sbin:/sbin

as_pg() {
    # From /: the postgres user may not be allowed into the clone's folder.
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || die "PostgreSQL server binaries not found: apt-get install postgresql"
    PGBIN=$d
}

pick_cluster_dir() {
    PGDIR=$STATE/pg
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' missing: apt-get install postgresql"
        mkdir -p "$PGDIR"
        chown postgres: "$PGDIR"
        if ! runuser -u postgres -- test -w "$PGDIR"; then
            # A clone under a folder that only root can enter (CI's home folder, say):
            # keep the cluster where postgres can reach it, never open up the home folder.
            rmdir "$PGDIR" 2>/dev/null || true
            PGDIR=/tmp/kam_key_account-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)/pg
            mkdir -p "$PGDIR"
            chmod 755 "$(dirname "$PGDIR")"
            chown postgres: "$PGDIR"
        fi
    fi
    mkdir -p "$PGDIR"
    PGSOCK=$PGDIR/socket
    if [ ${#PGSOCK} -gt 90 ]; then  # unix socket paths are limited to 107 bytes
        PGSOCK=/tmp/kam_key_account-$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)-sock
    fi
}

start_db() {
    if external_db; then
        say "using the database server from PGHOST/PGPORT/PGUSER/ODOO_RC"
        return
    fi
    pg_bin
    pick_cluster_dir
    if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $PGDIR"
        as_pg mkdir -p "$PGDIR/data"
        as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg mkdir -p "$PGSOCK"
    export PGHOST=$PGSOCK PGPORT=$PG_PORT PGUSER=odoo PGDATABASE=postgres
    if ! as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1; then
        # fsync off: a throw-away development cluster, speed matters more than crash safety.
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -o \
            "-p $PG_PORT -k $PGSOCK -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null || { tail -n 20 "$PGDIR/server.log" >&2; die "PostgreSQL did not start"; }
        PG_STARTED=1
    fi
}

stop_db() {
    if [ -n "$PG_STARTED" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
        PG_STARTED=""
    fi
}
trap stop_db EXIT

db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; }

# --- Odoo invocations ------------------------------------------------------------------
write_config() {
    CONF=$STATE/odoo.conf
    mkdir -p "$STATE/odoo-data"
    {
        echo "[options]"
        echo "addons_path = $ADDONS_PATH"
        echo "data_dir = $STATE/odoo-data"
        if [ -z "${ODOO_RC:-}" ]; then
            echo "db_host = ${PGHOST:-}"
            echo "db_port = ${PGPORT:-}"
            echo "db_user = ${PGUSER:-}"
            echo "db_password = ${PGPASSWORD:-}"
        fi
        echo "http_interface = 127.0.0.1"
        echo "http_port = $HTTP_PORT"
        echo "max_cron_threads = 1"
    } > "$CONF.new"
    if [ -n "${ODOO_RC:-}" ]; then
        # Database settings from the user's own configuration, paths from ours.
        grep -E '^(db_|\[options\])' "$ODOO_RC" | grep -v '^\[options\]' >> "$CONF.new" || true
    fi
    mv "$CONF.new" "$CONF"
}

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@"; }

# Install or update, failing on any ERROR/CRITICAL line even when Odoo exits 0.
odoo_install() {
    local log=$STATE/install.log
    if ! odoo_bin --stop-after-init --log-level=info "$@" > "$log" 2>&1; then
        grep -E ' (ERROR|CRITICAL) ' -A 25 "$log" | tail -n 60 >&2 || tail -n 60 "$log" >&2
        die "Odoo install/update failed ($*); full log: $log"
    fi
    if grep -qE ' (ERROR|CRITICAL) |demo data failed to install' "$log"; then
        grep -E ' (ERROR|CRITICAL) |demo data failed|Error' -A 3 "$log" | grep -v '^  File' | head -n 80 >&2
        die "Odoo logged errors during install/update ($*); full log: $log"
    fi
    grep -E " WARNING .*$MODULE" "$log" >&2 || true
}

manifest_depends() {  # manifest_depends ADDON: its `depends`, comma-separated
    "$VENV/bin/python" - "$ROOT/$1/__manifest__.py" <<'PY'
import ast, sys
print(','.join(ast.literal_eval(open(sys.argv[1]).read())['depends']))
PY
}

# A template database holding the dependencies (with demo data) keeps repeated test runs fast.
# ensure_template PREFIX DEPS sets TEMPLATE_DB=PREFIX_<key>. Each kind of template has its own
# prefix and replaces only older templates of that prefix: the core's (kam_tmpl_, no Invoicing)
# and the bridge's (kam_acct_tmpl_) live side by side, and worktrees that know only the core's
# prefix never match the bridge's (LIKE 'kam\_tmpl\_%' does not match 'kam_acct_tmpl_...').
ensure_template() {
    local prefix=$1 deps=$2 key old
    key=$( { echo "template-v2 $deps"; cat "$ODOO_SRC/odoo/release.py"; git -C "$ODOO_SRC" rev-parse HEAD 2>/dev/null || true; } | sha1sum | cut -c1-10)
    TEMPLATE_DB=${prefix}_$key
    if db_exists "$TEMPLATE_DB"; then
        return
    fi
    say "building template database $TEMPLATE_DB with $deps (once; about a minute)"
    psql -d postgres -qc "DROP DATABASE IF EXISTS \"$TEMPLATE_DB.tmp\"" >/dev/null
    createdb "$TEMPLATE_DB.tmp"
    odoo_install -d "$TEMPLATE_DB.tmp" -i "$deps" --with-demo
    # Drop older templates of this prefix only, then publish the new one under its final name.
    for old in $(psql -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${prefix//_/\\_}\\_%' AND datname NOT LIKE '%.tmp' AND datname <> '$TEMPLATE_DB.tmp'"); do
        dropdb --if-exists "$old"
    done
    psql -d postgres -qc "ALTER DATABASE \"$TEMPLATE_DB.tmp\" RENAME TO \"$TEMPLATE_DB\""
}

core_template() { ensure_template kam_tmpl "$(manifest_depends "$MODULE")"; }
# The core's dependencies plus the bridge's own (minus the core itself) plus sale, whose
# confirmed orders are the bridge's other sales basis.
bridge_template() {
    local deps
    deps=$(manifest_depends "$MODULE"),$(manifest_depends "$BRIDGE" | tr ',' '\n' | grep -vx "$MODULE" | paste -sd,),$BRIDGE_TEMPLATE_EXTRA
    ensure_template kam_acct_tmpl "$deps"
}

fresh_db() {  # fresh_db NAME [ADDON]: a copy of the template with the addon and its demo data installed
    local addon=${2:-$MODULE}
    dropdb --if-exists "$1"
    createdb -T "$TEMPLATE_DB" "$1"
    rm -rf "$STATE/odoo-data/filestore/$1"
    say "installing $addon into $1"
    odoo_install -d "$1" -i "$addon" --with-demo
}

prepare() {
    find_odoo
    ensure_venv
    start_db
    write_config
}

# --- commands -------------------------------------------------------------------------
cmd_run() {
    prepare
    if db_exists "$RUN_DB"; then
        say "updating $MODULE in database $RUN_DB"
        odoo_install -d "$RUN_DB" -u "$MODULE"
    else
        say "creating database $RUN_DB with $MODULE and its demo data"
        createdb "$RUN_DB"
        odoo_install -d "$RUN_DB" -i "$MODULE" --with-demo --load-language=zh_CN
    fi
    say "serving on http://127.0.0.1:$HTTP_PORT  (login: admin / password: admin; demo users: see README)"
    say "Ctrl-C stops Odoo and the database server this command started"
    odoo_bin -d "$RUN_DB" --db-filter="^$RUN_DB\$" || true
}

# Uninstalling on a copy keeps every partner the module did not create itself.
check_uninstall() {
    local copy="${TEST_DB}_uninstall" before after
    local foreign="SELECT count(*) FROM res_partner p WHERE NOT EXISTS (SELECT 1 FROM ir_model_data d
        WHERE d.model = 'res.partner' AND d.res_id = p.id AND d.module = '$MODULE')"
    dropdb --if-exists "$copy"
    createdb -T "$TEST_DB" "$copy"
    before=$(psql -d "$copy" -tAc "$foreign")
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" module uninstall "$MODULE" -c "$CONF" -d "$copy" \
        > "$STATE/uninstall.log" 2>&1 || { tail -n 30 "$STATE/uninstall.log" >&2; die "uninstalling $MODULE failed"; }
    after=$(psql -d "$copy" -tAc "$foreign")
    [ "$(psql -d "$copy" -tAc "SELECT state FROM ir_module_module WHERE name = '$MODULE'")" = uninstalled ] \
        || die "$MODULE is still installed after uninstalling it"
    [ "$before" = "$after" ] || die "uninstalling $MODULE lost partners: $before before, $after after"
    say "uninstall check: $after partners kept"
    dropdb "$copy"
}

# KAM_TEST_SUITES chooses the runs: "core account" (default), "core" or "account".
cmd_test() {
    local suites=${KAM_TEST_SUITES:-core account} failed=0 started=$SECONDS
    prepare
    mkdir -p "$STATE/tmp"
    cd "$ROOT"
    if [[ " $suites " == *" core "* ]]; then
        core_template
        fresh_db "$TEST_DB"
        check_uninstall
        say "running the core's suite (tests/, without Invoicing)"
        run_pytest "$TEST_DB" tests/ "$@" || failed=1
    fi
    if [[ " $suites " == *" account "* ]]; then
        bridge_template
        fresh_db "${TEST_DB}_account" "$BRIDGE"
        say "running the bridge's suite (tests_account/, with account and sale)"
        run_pytest "${TEST_DB}_account" tests_account/ "$@" || failed=1
    fi
    say "tests took $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
    [ "$failed" = 0 ] || die "tests failed (above)"
}

run_pytest() {  # run_pytest DB PATH [PYTEST ARGS]
    local db=$1 path=$2
    shift 2
    # Chromium's profile folders for tours land in TMPDIR.
    local rc=0
    TMPDIR=$STATE/tmp PYTHONPATH=$ODOO_SRC "$VENV/bin/pytest" \
        --odoo-config="$CONF" --odoo-database="$db" --odoo-http \
        --odoo-log-level="${KAM_TEST_LOG_LEVEL:-warn}" "$@" "$path" || rc=$?
    # 5: PYTEST_ARGS (say -k) selected nothing in this suite, which is no failure.
    if [ "$rc" = 5 ]; then
        say "no test of $path selected"
        rc=0
    fi
    return "$rc"
}

# --- benchmarks (bench/, issue 13) -----------------------------------------------------
# OCA base_tier_validation (AGPL-3) is the baseline of one row of `make bench`: it is installed
# from the package registry without its dependencies into .local/oca, on the bench's addons
# path only; it is never a dependency of our addons nor in their wheels.
OCA_SITE=$STATE/oca/site
ensure_oca() {
    if [ -d "$OCA_SITE/odoo/addons/base_tier_validation" ]; then
        return
    fi
    say "installing OCA base_tier_validation 19.0 (bench only, --no-deps) into $OCA_SITE"
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --target "$OCA_SITE" \
        'odoo-addon-base-tier-validation>=19.0,<19.1' >&2 \
        || say "base_tier_validation could not be installed: the bench compares with activity_feedback + activity_schedule only"
}

# The bench's Odoo configuration: ours plus the OCA folder and bench/addons on the addons path.
bench_config() {
    local extra=$ROOT/bench/addons
    [ -d "$OCA_SITE/odoo/addons/base_tier_validation" ] && extra=$OCA_SITE/odoo/addons,$extra
    BENCH_CONF=$STATE/bench.conf
    sed -e "s|^addons_path = .*|addons_path = $ADDONS_PATH,$extra|" \
        -e "s|^http_port = .*|http_port = ${KAM_LOAD_HTTP_PORT:-8079}|" "$CONF" > "$BENCH_CONF"
    echo "gevent_port = ${KAM_LOAD_GEVENT_PORT:-8080}" >> "$BENCH_CONF"
}

bench_odoo() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$BENCH_CONF" "$@"; }

bench_install() {  # bench_install DB ADDONS: install, print the seconds it took
    local log=$STATE/bench-install.log started
    started=$(date +%s.%N)
    bench_odoo -d "$1" -i "$2" --with-demo --stop-after-init --log-level=warn > "$log" 2>&1 \
        || { tail -n 40 "$log" >&2; die "installing $2 into $1 failed; log: $log"; }
    if grep -qE ' (ERROR|CRITICAL) ' "$log"; then
        grep -E ' (ERROR|CRITICAL) ' -A 5 "$log" | head -n 40 >&2
        die "Odoo logged errors installing $2 into $1; log: $log"
    fi
    echo "$(date +%s.%N) - $started" | bc
}

publish_db() {  # publish_db TMP FINAL PREFIX: drop the older databases of PREFIX, rename TMP
    local old
    for old in $(psql -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${3//_/\\_}%' AND datname <> '$1'"); do
        dropdb --if-exists "$old"
    done
    psql -d postgres -qc "ALTER DATABASE \"$1\" RENAME TO \"$2\""
}

bench_populate() {  # bench_populate DB STEP
    bench_odoo_python "$ROOT/bench/populate.py" -c "$BENCH_CONF" -d "$1" --size "$BENCH_SIZE" "$2" \
        || die "populating $1 ($2) failed"
}
bench_odoo_python() { PYTHONPATH=$ODOO_SRC:$ROOT "$VENV/bin/python" "$@"; }

# Three templates per size, each built once: partners (before crm), + the addon's dependencies
# and leads, + the addon, the OCA baseline and our records. The last one is rebuilt when the
# addon, bench/addons or the populate script change, and it records the install times of
# the addon and of crm measured in that same run (ir.config_parameter kam_bench.*).
bench_templates() {
    local deps key1 key2 base deps_db final t_crm t_kam copy
    deps=$(manifest_depends "$MODULE")
    key1=$( { echo "bench-v1 $BENCH_SIZE $deps"; cat "$ODOO_SRC/odoo/release.py"; } | sha1sum | cut -c1-8)
    key2=$( { echo "$key1"; cat "$ROOT/bench/populate.py"; git -C "$ROOT" ls-files -s "$MODULE" bench/addons;
              git -C "$ROOT" diff HEAD -- "$MODULE" bench/addons; } | sha1sum | cut -c1-8)
    base=${TEST_DB}_bt_${BENCH_SIZE}_p_$key1
    deps_db=${TEST_DB}_bt_${BENCH_SIZE}_d_$key1
    BENCH_TEMPLATE=${TEST_DB}_bt_${BENCH_SIZE}_k_$key2
    if ! db_exists "$base"; then
        say "bench template $base: base, contacts and mail, partners duplicated to size $BENCH_SIZE"
        dropdb --if-exists "$base.tmp"; createdb "$base.tmp"
        bench_install "$base.tmp" contacts,mail >/dev/null
        bench_populate "$base.tmp" partners
        publish_db "$base.tmp" "$base" "${TEST_DB}_bt_${BENCH_SIZE}_p_"
    fi
    if ! db_exists "$deps_db"; then
        say "bench template $deps_db: + $deps, leads duplicated"
        dropdb --if-exists "$deps_db.tmp"; createdb -T "$base" "$deps_db.tmp"
        bench_install "$deps_db.tmp" "$deps" >/dev/null
        bench_populate "$deps_db.tmp" leads
        publish_db "$deps_db.tmp" "$deps_db" "${TEST_DB}_bt_${BENCH_SIZE}_d_"
    fi
    if ! db_exists "$BENCH_TEMPLATE"; then
        say "bench template $BENCH_TEMPLATE: crm's install time on the partners, then ours, then our records"
        copy=${TEST_DB}_bench_crm
        dropdb --if-exists "$copy"; createdb -T "$base" "$copy"
        t_crm=$(bench_install "$copy" crm)
        dropdb "$copy"
        dropdb --if-exists "$BENCH_TEMPLATE.tmp"; createdb -T "$deps_db" "$BENCH_TEMPLATE.tmp"
        t_kam=$(bench_install "$BENCH_TEMPLATE.tmp" "$MODULE")
        say "install on the populated partners: crm ${t_crm} s, $MODULE ${t_kam} s"
        if [ -d "$OCA_SITE/odoo/addons/base_tier_validation" ]; then
            bench_install "$BENCH_TEMPLATE.tmp" kam_bench_tier >/dev/null
        fi
        bench_populate "$BENCH_TEMPLATE.tmp" records
        psql -d "$BENCH_TEMPLATE.tmp" -qc "INSERT INTO ir_config_parameter (key, value) VALUES
            ('kam_bench.size', '$BENCH_SIZE'), ('kam_bench.install_seconds', '$t_kam'),
            ('kam_bench.crm_install_seconds', '$t_crm')"
        publish_db "$BENCH_TEMPLATE.tmp" "$BENCH_TEMPLATE" "${TEST_DB}_bt_${BENCH_SIZE}_k_"
    fi
}

# SIZE=small (under 5 minutes on 2 cores) or SIZE=full (issue 13's sizes, about an hour).
cmd_bench() {
    BENCH_SIZE=${SIZE:-small}
    case "$BENCH_SIZE" in small|full) ;; *) die "SIZE must be small or full" ;; esac
    local started=$SECONDS db=${TEST_DB}_bench
    prepare
    ensure_oca
    bench_config
    bench_templates
    dropdb --if-exists "$db"
    createdb -T "$BENCH_TEMPLATE" "$db"
    cd "$ROOT"
    PYTHONPATH=$ODOO_SRC "$VENV/bin/pytest" -s -p no:cacheprovider \
        --odoo-config="$BENCH_CONF" --odoo-database="$db" \
        --odoo-log-level=warn "$@" bench/
    say "bench ($BENCH_SIZE) took $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
}

# The server's log, where deadlocks are reported: KAM_PG_LOG, else the newest *.log beside
# the socket folder (our own cluster logs to $PGDIR/server.log).
pg_log_file() {
    if [ -n "${KAM_PG_LOG:-}" ]; then
        echo "$KAM_PG_LOG"
        return
    fi
    ls -t "$(dirname "$PGHOST")"/*.log 2>/dev/null | head -n 1
}

# `make load`: Odoo in prefork mode (4 workers, 2 cron threads) on a copy of the small bench
# template, JSON-RPC clients on the loopback for KAM_LOAD_SECONDS (30), then the checks.
cmd_load() {
    BENCH_SIZE=${SIZE:-small}
    local db=${TEST_DB}_load
    prepare
    ensure_oca
    bench_config
    bench_templates
    dropdb --if-exists "$db"
    createdb -T "$BENCH_TEMPLATE" "$db"
    cd "$ROOT"
    bench_odoo_python "$ROOT/bench/load.py" -c "$BENCH_CONF" -d "$db" \
        --odoo-bin "$ODOO_SRC/odoo-bin" --python "$VENV/bin/python" \
        --pg-log "$(pg_log_file)" "$@"
}

# Export kam_key_account.pot and zh_CN.po from a fresh install; zh_CN.po keeps the
# translations it already had (the install loads them) and gains empty entries to fill.
cmd_pot() {
    prepare
    core_template
    fresh_db "${TEST_DB}_i18n"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" i18n loadlang -l zh_CN -c "$CONF" -d "${TEST_DB}_i18n" >/dev/null 2>&1
    local po=$ROOT/$MODULE/i18n/zh_CN.po
    [ -f "$po" ] && cp "$po" "$STATE/zh_CN.previous.po"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" i18n export "$MODULE" -c "$CONF" -d "${TEST_DB}_i18n" \
        -l pot zh_CN
    # Code terms are not in the database: take their translations back from the previous file.
    [ -f "$STATE/zh_CN.previous.po" ] && "$VENV/bin/python" - "$po" "$STATE/zh_CN.previous.po" <<'PY'
import sys, polib
po, previous = polib.pofile(sys.argv[1]), polib.pofile(sys.argv[2])
known = {entry.msgid: entry.msgstr for entry in previous if entry.msgstr}
for entry in po:
    if not entry.msgstr and entry.msgid in known:
        entry.msgstr = known[entry.msgid]
po.save(sys.argv[1])
missing = sum(1 for entry in po if not entry.msgstr)
print(f"zh_CN.po: {missing} terms to translate" if missing else "zh_CN.po: complete")
PY
    say "wrote $MODULE/i18n/$MODULE.pot and $MODULE/i18n/zh_CN.po"
}

# The linters need neither Odoo nor a database: their own venv, pinned by requirements-lint.txt.
ensure_tools_venv() {
    TOOLS_VENV=$STATE/tools-venv
    local want stamp=$STATE/tools-venv/.kam-requirements
    want=$(sha1sum < "$ROOT/requirements-lint.txt" | cut -c1-16)
    if [ -x "$TOOLS_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    say "installing the linters and build tools into $TOOLS_VENV (once)"
    mkdir -p "$STATE"
    [ -x "$TOOLS_VENV/bin/python" ] || python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements-lint.txt"
    echo "$want" > "$stamp"
}

cmd_lint() {
    ensure_tools_venv
    cd "$ROOT"
    local failed=0 paths=("$MODULE" "$BRIDGE" tests tests_account bench tools)
    say "ruff $("$TOOLS_VENV/bin/ruff" --version | cut -d' ' -f2)"
    "$TOOLS_VENV/bin/ruff" check --config ruff.toml "${paths[@]}" || failed=1
    say "pylint-odoo $("$TOOLS_VENV/bin/pip" show pylint-odoo 2>/dev/null | sed -n 's/^Version: //p')"
    "$TOOLS_VENV/bin/pylint" --rcfile=.pylintrc "$MODULE" "$BRIDGE" tests tests_account bench || failed=1
    "$TOOLS_VENV/bin/python" tools/readme.py --check "$MODULE" || failed=1
    "$TOOLS_VENV/bin/python" tools/readme.py --check "$BRIDGE" || failed=1
    [ "$failed" = 0 ] || die "lint found problems (above)"
    say "lint: no findings"
}

# The addon as a wheel, the way the OCA ships addons (whool: git-tracked files only, the
# manifest's version, a .devN-style suffix between releases).
cmd_dist() {
    ensure_tools_venv
    local out=${1:-$ROOT/dist} addon
    mkdir -p "$out"
    for addon in "$MODULE" "$BRIDGE"; do
        "$TOOLS_VENV/bin/pip" wheel -q --disable-pip-version-check --no-deps "$ROOT/$addon" -w "$out"
        say "built $(ls -t "$out"/odoo_addon_${addon}-*.whl | head -n 1)"
    done
}

cmd_shell() {
    prepare
    odoo_bin shell -d "$RUN_DB"
}

case "${1:-}" in
    run) shift; cmd_run "$@" ;;
    test) shift; cmd_test "$@" ;;
    bench) shift; cmd_bench "$@" ;;
    load) shift; cmd_load "$@" ;;
    shell) shift; cmd_shell "$@" ;;
    lint) shift; cmd_lint "$@" ;;
    dist) shift; cmd_dist "$@" ;;
    readme) shift; python3 "$ROOT/tools/readme.py" "$ROOT/$MODULE" && python3 "$ROOT/tools/readme.py" "$ROOT/$BRIDGE" ;;
    pot) shift; cmd_pot "$@" ;;
    setup) find_odoo; ensure_venv ;;
    odoo) find_odoo; echo "$ODOO_SRC" ;;
    *) die "usage: tools/kam.sh run|test|bench|load|shell|pot|lint|readme|dist|odoo" ;;
esac
