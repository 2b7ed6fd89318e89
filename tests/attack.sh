#!/usr/bin/env bash
# The attack run of issue 11: lanxi against git states, git variables, symlinks,
# a FIFO cache, formula text, escape codes and SIGTERM during many writes, in a
# scratch data repository. Repeatable; every step says what it checks and stops
# the run (exit 1) at the first thing that does not hold.
#
#   bash tests/attack.sh            # 200 SIGTERM writes (a few minutes)
#   ATTACK_WRITES=20 bash tests/attack.sh
#
# It ends with `git fsck` clean, no temporary or lock file left, and `lanxi check` passing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
WRITES=${ATTACK_WRITES:-200}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lanxi-attack.XXXXXX")
trap 'umount "$WORK/small" 2>/dev/null || true; rm -rf "$WORK"' EXIT

export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" NO_COLOR=1 COLUMNS=120
export XDG_CACHE_HOME="$WORK/cache" LANXI_TODAY=2020-09-20
unset LANXI_DATA
REPO="$WORK/town"
DATA="$REPO/data"

lanxi() { "$PY" -m lanxi_cli "$@"; }
say() { printf '== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
# expect CODE COMMAND...: run it, its stderr kept in $WORK/err, and check its exit code
expect() {
    local want=$1 got=0
    shift
    "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
    [ "$got" = "$want" ] || { cat "$WORK/err" >&2; fail "$* exited $got, not $want"; }
}
g() { git -C "$REPO" "$@"; }
add() { lanxi report add --data "$DATA" --task 5.1 --unit 派出所 --status done "$@"; }
untracked() { g status --porcelain --untracked-files=all -- data; }

mkdir -p "$DATA/reports"
cp "$ROOT/data/plan.yaml" "$ROOT/data/tasks.yaml" "$DATA/"
g init -q
g config user.name 攻击测试
g config user.email attack@example.org
g config commit.gpgsign false
g add data
g commit -q -m plan
MAIN=$(g rev-parse --abbrev-ref HEAD)
echo main >"$REPO/notes.txt" && g add notes.txt && g commit -q -m notes
g checkout -q -b side && echo side >"$REPO/notes.txt" && g commit -q -am side
g checkout -q "$MAIN" && echo other >"$REPO/notes.txt" && g commit -q -am other

say "a rebase in progress: report add writes nothing, and --abort loses nothing"
g checkout -q side
g rebase "$MAIN" >/dev/null 2>&1 && fail "the rebase should have stopped on a conflict"
expect 1 add
grep -q "正在进行变基" "$WORK/err" || fail "no sentence about the rebase"
g rebase --abort
g checkout -q "$MAIN"
[ -z "$(untracked)" ] || fail "something was written during the rebase"

say "a merge in progress: the same"
g merge side >/dev/null 2>&1 && fail "the merge should have stopped on a conflict"
expect 1 add
grep -q "正在进行合并" "$WORK/err" || fail "no sentence about the merge"
g merge --abort
[ -z "$(untracked)" ] || fail "something was written during the merge"

say "GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE set: the report goes to the data repository only"
mkdir "$WORK/other" && git -C "$WORK/other" init -q && : >"$WORK/other/x"
git -C "$WORK/other" add x && git -C "$WORK/other" -c user.name=o -c user.email=o@example.org commit -q -m other
GIT_DIR="$WORK/other/.git" GIT_WORK_TREE="$WORK/other" GIT_INDEX_FILE="$WORK/other/.git/i2" expect 0 add
[ "$(git -C "$WORK/other" rev-list --count HEAD)" = 1 ] || fail "a commit went into the other repository"
g log -1 --format=%s | grep -q "^报告：5.1 兰溪派出所" || fail "the report was not committed in the data repository"
[ -z "$(untracked)" ] || fail "the data repository was left dirty"

say "a symlinked folder leading outside receives nothing; a symlinked report outside is not counted"
mkdir -p "$WORK/outside" "$DATA/reports/2020"
ln -s "$WORK/outside" "$DATA/reports/2020/10"
expect 1 add --as-of 2020-10-05 --date 2020-10-05
grep -q "拒绝写入" "$WORK/err" || fail "no sentence about the symlink"
[ -z "$(ls -A "$WORK/outside")" ] || fail "a file was written outside the data folder"
printf "task: '5.1'\nunit: 派出所\ndate: 2020-09-02\nstatus: done\n" >"$WORK/outside/r.yaml"
expect 1 lanxi check --data "$DATA"
grep -q "reports/2020/10: 是指向数据目录之外" "$WORK/out" || fail "check did not name the symlinked folder"
rm "$DATA/reports/2020/10"
ln -s "$WORK/outside/r.yaml" "$DATA/reports/link.yaml"
expect 0 lanxi report list --data "$DATA" --format json
grep -q "link.yaml: 是指向数据目录之外" "$WORK/err" || fail "no warning about the symlinked report"
grep -q '"date": "2020-09-02"' "$WORK/out" && fail "the report outside was counted"
rm "$DATA/reports/link.yaml"

say "a FIFO in place of every cache file: queries answer at once"
for NAME in book reports index index-files; do
  CACHE=$("$PY" -c 'import sys; from lanxi_cli.store import cache; print(cache.cache_file(*sys.argv[1:]))' "$DATA" $NAME)
  rm -f "$CACHE" && mkdir -p "$(dirname "$CACHE")" && mkfifo "$CACHE"
  expect 0 timeout 30 "$PY" -m lanxi_cli tasks --overdue --data "$DATA"
  rm "$CACHE"
done

say "formula text: never a live formula in xlsx, always escaped in csv"
for name in '@SUM(1).jpg' '+1.pdf' '-1.pdf'; do printf '%s' "$name" >"$WORK/$name"; done  # evidence files
expect 0 add --note '=HYPERLINK("http://x/?a="&B2,"查看")' --by '=1+1' -e "$WORK/@SUM(1).jpg" -e "$WORK/+1.pdf" \
    -e "$WORK/-1.pdf"
expect 0 lanxi export -o "$WORK/l.xlsx" --data "$DATA"
expect 0 lanxi export -o "$WORK/l.csv" --data "$DATA"
lanxi report list --data "$DATA" --format csv >"$WORK/list.csv"
"$PY" - "$WORK/l.xlsx" "$WORK/l.csv" "$WORK/list.csv" <<'PY'
import csv, sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1])
formulas = [(ws.title, c.coordinate) for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
assert not formulas, f"live formulas in the workbook: {formulas}"
notes = [c.value for row in book["报告"].iter_rows() for c in row]
assert '=HYPERLINK("http://x/?a="&B2,"查看")' in notes, "the note is not kept as text"
for name in sys.argv[2:]:
    with open(name, encoding="utf-8-sig", newline="") as handle:
        bad = [v for row in csv.reader(handle) for v in row if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not bad, f"{name}: cells a spreadsheet would run: {bad}"
PY

say "escape codes in git subjects reach the terminal escaped"
echo "# tidy" >>"$DATA/plan.yaml"
g commit -q -am $'\x1b[2J\x1b[31mFAKE\x1e\x1f\u202e'
expect 0 lanxi log --data "$DATA"
grep -q $'[\x1b\x1e\x1f]' "$WORK/out" && fail "lanxi log printed a raw control character"
grep -qF '\x1b[2J\x1b[31mFAKE\x1e\x1f\u202e' "$WORK/out" || fail "lanxi log did not show the subject escaped"

say "SIGTERM during $WRITES writes: no temporary file, no half report"
# Kill at a random moment of a whole report add, whose length is measured first (in ms).
start=$(date +%s%N)
add --note 量时 >/dev/null 2>&1
span=$(( ($(date +%s%N) - start) / 1000000 ))
for i in $(seq "$WRITES"); do
    "$PY" -m lanxi_cli report add --data "$DATA" --task 1.4 --unit 黄湖村 --note "第 $i 次" >/dev/null 2>&1 &
    pid=$!
    sleep "$(( (RANDOM * 32768 + RANDOM) % (span + 1) / 1000 )).$(printf '%03d' $(( (RANDOM * 32768 + RANDOM) % (span + 1) % 1000 )))"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
done
written=$(find "$DATA/reports" -name '*黄湖村-1.4-*.yaml' | wc -l)
committed=$(g log --format=%s | grep -c '^报告：1.4 黄湖村' || true)
echo "   a report add takes $span ms: $written of $WRITES reports written, $committed committed"

# ---- the second round (issue 24) ------------------------------------------------------------

say "a 4,301-digit number and a !!binary escape in report files: named and skipped, never a traceback"
BIG="$DATA/reports/2020/09/2020-09-20-attack-big.yaml"
BIN="$DATA/reports/2020/09/2020-09-20-attack-bin.yaml"
mkdir -p "$(dirname "$BIG")"
printf "task: '5.3'\nunit: 苏家湖村\ndate: 2020-09-20\ncount: %s\n" "$(printf '9%.0s' $(seq 5000))" >"$BIG"
printf "task: '5.3'\nunit: 苏家湖村\ndate: 2020-09-20\nnote: !!binary GwowO1BXTkVEBxtbMzFtUkVE\n" >"$BIN"
for q in status tasks "report list" assess; do
    expect 0 lanxi $q --data "$DATA"
    grep -q "Traceback" "$WORK/err" && fail "lanxi $q ended in a traceback"
    grep -q $'\x1b' "$WORK/err" && fail "lanxi $q let a raw escape reach stderr"
    grep -q "attack-big.yaml:4: 数字位数过多" "$WORK/err" || fail "lanxi $q did not name the huge number"
done
expect 0 lanxi export -o "$WORK/big.xlsx" --data "$DATA"
expect 0 lanxi bulletin -o "$WORK/big.docx" --data "$DATA"
expect 1 lanxi check --data "$DATA"
grep -q "attack-bin.yaml:4: 不允许的 YAML 标签 !!binary" "$WORK/out" || fail "check did not name the !!binary tag"
rm "$BIG" "$BIN"

say "a folder remote's hooks never run during sync; two offices' liaisons both survive it"
git init -q --bare "$WORK/shared.git"
g remote add origin "$WORK/shared.git" && g push -q -u origin "$MAIN"
git clone -q "$WORK/shared.git" "$WORK/office-b"
for hook in pre-receive update post-receive post-update reference-transaction; do  # left by someone on the drive
    printf '#!/bin/sh\ntouch "%s/hook-ran"\n' "$WORK" >"$WORK/shared.git/hooks/$hook"
    chmod +x "$WORK/shared.git/hooks/$hook"
done
git -C "$WORK/office-b" config user.name 乙 && git -C "$WORK/office-b" config user.email b@example.org
expect 0 lanxi unit liaison 苏家湖 --name 张三 --phone 13812345678 --data "$DATA"
expect 0 lanxi sync --data "$DATA"
expect 0 lanxi unit liaison 黄湖 --name 李四 --phone 13912345678 --data "$WORK/office-b/data"
expect 0 lanxi sync --data "$WORK/office-b/data"
expect 0 lanxi sync --data "$DATA"
[ ! -e "$WORK/hook-ran" ] || fail "a hook of the shared repository ran during lanxi sync"
for d in "$DATA" "$WORK/office-b/data"; do
    expect 0 lanxi units --data "$d" --format json
    grep -q '"name": "张三"' "$WORK/out" && grep -q '"name": "李四"' "$WORK/out" || fail "a liaison was lost on sync ($d)"
done

say "tables for init --from: a stray far cell, a blank task, an unclosed quote, look-alike names"
"$PY" - "$WORK/far.xlsx" <<'PY'
import sys
from openpyxl import Workbook
book = Workbook()
sheet = book.active
sheet.append(["序号", "类别", "工作任务", "完成时限", "牵头单位", "责任单位"])
sheet.append([1, "组织保障", "成立工作专班。", "2021年3月15日前", "安监站", "双溪村"])
sheet["XFD1048576"] = "x"
book.save(sys.argv[1])
PY
expect 1 timeout 60 "$PY" -m lanxi_cli init "$WORK/far" --town 石门镇 --from "$WORK/far.xlsx"
grep -q "XFD1048576: 这个单元格远在任务清单之外" "$WORK/err" || fail "the far cell was not named"
HEAD_ROW='序号,类别,工作任务,完成时限,牵头单位,责任单位'
printf '%s\n1,组织保障,成立工作专班。,2021年3月15日前,安监站,双溪村\n2,组织保障,,2021年3月15日前,安监站,双溪村\n' "$HEAD_ROW" >"$WORK/blank.csv"
expect 1 lanxi init "$WORK/blank" --town 石门镇 --from "$WORK/blank.csv"
grep -q "blank.csv!C3: 任务栏空白" "$WORK/err" || fail "the row without a task was not named"
printf '%s\n1,组织保障,成立工作专班。,2021年3月15日前,"安监站,双溪村\n2,宣传,宣传。,2021年3月15日前,安监站,双溪村\n' "$HEAD_ROW" >"$WORK/quote.csv"
expect 1 lanxi init "$WORK/quote" --town 石门镇 --from "$WORK/quote.csv"
grep -q "quote.csv!E2: 引号没有闭合" "$WORK/err" || fail "the unclosed quote was not named"
printf '%s\n1,组织保障,成立工作专班。,2021年3月15日前,安监站,双溪村\n2,组织保障,制定方案。,2021年3月15日前,安监站\xe2\x80\x8b,安 监 站\n' "$HEAD_ROW" >"$WORK/zw.csv"
expect 0 lanxi init "$WORK/zw" --town 石门镇 --from "$WORK/zw.csv"
expect 0 lanxi units --data "$WORK/zw/data" --format json
[ "$(grep -c '"name": "安监站"' "$WORK/out")" = 1 ] || fail "invisible characters or a space made a second 安监站"
[ -z "$(ls -A "$WORK" | grep -E '^(far|blank|quote)$')" ] || fail "a refused init wrote a folder"

say "a full disk at commit time leaves nothing staged (needs root to mount a tmpfs; skipped otherwise)"
if mkdir "$WORK/small" && mount -t tmpfs -o size=3m tmpfs "$WORK/small" 2>/dev/null; then
    for FREE in 8 16 28 64; do  # (KB free) git add fails; the commit fails (twice); the commit goes through
        mkdir -p "$WORK/small/town/data" && cp "$ROOT/data/plan.yaml" "$ROOT/data/tasks.yaml" "$WORK/small/town/data/"
        git -C "$WORK/small/town" init -q && git -C "$WORK/small/town" add data
        git -C "$WORK/small/town" -c user.name=t -c user.email=t@e commit -q -m plan
        git -C "$WORK/small/town" config user.name t && git -C "$WORK/small/town" config user.email t@e
        "$PY" -c 'import os,sys; s=os.statvfs(sys.argv[1]); n=s.f_bavail*s.f_frsize-int(sys.argv[2])*1024
f=open(sys.argv[1]+"/fill","wb")
try:
    while n>0: n-=f.write(b"\0"*min(n,1<<20))
except OSError: pass' "$WORK/small" "$FREE" 2>/dev/null || true
        lanxi report add --task 1.2 --unit 苏家湖 -s done --by x --data "$WORK/small/town/data" >/dev/null 2>&1 || true
        rm -f "$WORK/small/fill"
        found=$(find "$WORK/small/town/data/reports" -name '*.yaml' 2>/dev/null | wc -l)
        [ -z "$(git -C "$WORK/small/town" diff --cached --name-only)" ] || fail "a report was left staged with $FREE KB free"
        git -C "$WORK/small/town" reset -q --hard
        [ "$(find "$WORK/small/town/data/reports" -name '*.yaml' 2>/dev/null | wc -l)" = "$found" ] \
            || fail "git reset --hard deleted a report after a full disk ($FREE KB free)"
        rm -rf "$WORK/small/town"
    done
    umount "$WORK/small"
else
    echo "   (no tmpfs here: the suite's injected faults cover each git step)"
fi
rmdir "$WORK/small" 2>/dev/null || true

say "the end: git fsck clean, no stray files, lanxi check passing"
g fsck --no-progress --strict >/dev/null 2>"$WORK/fsck" || { cat "$WORK/fsck" >&2; fail "git fsck"; }
[ ! -s "$WORK/fsck" ] || { cat "$WORK/fsck" >&2; fail "git fsck complained"; }
# lanxi's temporaries (.NAME.PID.tmp), git's lock files (lanxi-commit.lock is kept on purpose: an flock)
stray=$(find "$REPO" \( -name '.*.tmp' -o -name '*.lock' \) ! -name lanxi-commit.lock -print)
[ -z "$stray" ] || fail "stray files left: $stray"
expect 0 lanxi check --data "$DATA"
echo "   $(cat "$WORK/out")"
echo "attack run passed"
