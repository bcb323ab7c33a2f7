#!/usr/bin/env bash
# SMTP benchmark: MailJuke beside Postfix on loopback, in one run.
#   - MX: `smtp-source -s SESSIONS -m MESSAGES -l SIZE` (defaults 20, 20,000, 5,120 bytes) into a
#     private Postfix instance (virtual(8) delivery to a Maildir) and into `mailjuke serve`;
#     messages/s until every message is stored, plus the smtp-source wall time.
#   - Submission: SESSIONS Python clients (STARTTLS + AUTH) send SUBMIT_MESSAGES (5,000) DKIM-signed
#     messages through MailJuke's submission port to a local mailbox (no Postfix figure).
# Each is run RUNS times (default 3); medians, server CPU per 1,000 messages and peak memory go
# to the "## SMTP" section of docs/benchmarks.md. PEERS="postfix" measures Postfix only and
# prints the table without writing the docs. KEEP=1 keeps the work dir (logs, Maildir, db).
# Needs root (Postfix runs as a private instance from the work dir); build first: make build.
# Usage: [RUNS=3 SESSIONS=20 MESSAGES=20000 SIZE=5120 SUBMIT_MESSAGES=5000] bench/smtp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3} sessions=${SESSIONS:-20} messages=${MESSAGES:-20000} size=${SIZE:-5120}
submit_messages=${SUBMIT_MESSAGES:-5000} peers=${PEERS:-postfix mailjuke}
# The recipient domain is hosted by both (MailJuke buys it: a registrable name); the sender is foreign.
domain=bench-mail.com rcpt=rcpt@bench-mail.com sender=sender@bench.test
py=/usr/bin/python3 helper=$PWD/bench/smtp/bench.py
[ "$(id -u)" -eq 0 ] || { echo "bench/smtp: run as root (Postfix needs it)" >&2; exit 1; }

# Postfix without a system instance: "No configuration" writes no main.cf and starts nothing.
fresh_postfix=0
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed"; then
  fresh_postfix=1
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
bash scripts/install-deps.sh bench >/dev/null
if [ "$fresh_postfix" = 1 ] && [ -f /etc/postfix/main.cf ] && postfix status 2>/dev/null; then
  postfix stop || true  # the install we just did started the system instance: stop it
fi
bin=${MAILJUKE_BIN:-$PWD/build/mailjuke}
if [[ $peers == *mailjuke* ]] && [ ! -x "$bin" ]; then echo "bench/smtp: build first (make build)" >&2; exit 1; fi

work=$(mktemp -d /tmp/mailjuke-bench-smtp.XXXXXX)
chmod 755 "$work"  # Postfix daemons (user postfix) and virtual(8) (user nobody) walk through it
pf=$work/postfix
cleanup() {
  if [ -f "$pf/queue/pid/master.pid" ]; then
    postfix -c "$pf/etc" stop >/dev/null 2>&1 || true
    pid=$(tr -d ' ' < "$pf/queue/pid/master.pid")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null || true
  fi
  if [ -f "$work/mailjuke.pid" ]; then
    pid=$(cat "$work/mailjuke.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -z "${KEEP:-}" ]; then
    echo "bench/smtp: removing $work (tens of thousands of files: can take a minute)" >&2
    rm -rf "$work"
  fi
}
trap cleanup EXIT
bench_name=bench/smtp
source bench/lib.sh  # the scripts run from the repository root (cd above)

# ---- Postfix: a private instance, root-owned config, queue created by `postfix start` --------
start_postfix() {
  local port; port=$(free_port)
  mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/mail/rcpt/"{new,cur,tmp}
  chown postfix:postfix "$pf/data"
  chown -R nobody:nogroup "$pf/mail"  # virtual(8) delivers as this uid/gid
  cat > "$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
maillog_file = $pf/maillog
maillog_file_prefixes = $pf
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.bench.localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = $domain
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = static:rcpt/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
biff = no
CONF
  # Debian's master.cf, minus chroot (a chroot needs copies of /etc files in the queue dir).
  cat > "$pf/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
  # Postfix reports configuration errors on a terminal only, else in the maillog.
  if ! postfix -c "$pf/etc" start >/dev/null 2>&1; then  # also creates the queue directories
    echo "bench/smtp: postfix did not start; try: postfix -c $pf/etc check (KEEP=1 keeps $work)" >&2
    tail -5 "$pf/maillog" >&2 2>/dev/null || true
    exit 1
  fi
  for _ in $(seq 1 100); do [ -s "$pf/queue/pid/master.pid" ] && break; sleep 0.1; done
  pf_pid=$(tr -d ' ' < "$pf/queue/pid/master.pid")
  pf_port=$port
  wait_port "$port" && return
  echo "bench/smtp: postfix is not listening on $port" >&2; exit 1
}

# ---- MailJuke: `mailjuke serve`, its SPF/DKIM/DMARC lookups answered by its own DNS listener --
start_mailjuke() {
  start_mailjuke_serve
  mj_http=$(listener http) mj_mx=$(listener smtp_mx) mj_sub=$(listener smtp_submission)
  senders=$(seq -f 'sender%02g' 1 "$sessions" | paste -sd,)
  $py "$helper" setup "$mj_http" "$domain" rcpt "$senders" > "$work/setup.json"
  if [ -z "$mj_mx" ] || [ -z "$mj_sub" ]; then
    echo "bench/smtp: this mailjuke build has no SMTP listeners (no smtp_mx/smtp_submission in listeners.json)" >&2
    exit 1
  fi
  # One message through the MX first, so the mailbox directory has picked up the new mailboxes.
  for _ in $(seq 1 50); do
    smtp-source -m 1 -f "$sender" -t "$rcpt" "$mj_mx" > "$work/warmup.log" 2>&1 && return
    sleep 0.2
  done
  echo "bench/smtp: MailJuke's MX does not accept mail for $rcpt:" >&2; cat "$work/warmup.log" >&2; exit 1
}

source_cmd() { echo "smtp-source -s $sessions -m $messages -l $size -f $sender -t $rcpt $1"; }
mkdir -p "$work/results"
[[ $peers == *postfix* ]] && start_postfix
[[ $peers == *mailjuke* ]] && start_mailjuke
for run in $(seq 1 "$runs"); do
  if [[ $peers == *postfix* ]]; then
    echo -n "run $run postfix: "
    # shellcheck disable=SC2046
    $py "$helper" measure "$pf_pid" "maildir:$pf/mail/rcpt" "$messages" "$work/results/postfix.jsonl" \
      -- $(source_cmd "127.0.0.1:$pf_port")
  fi
  if [[ $peers == *mailjuke* ]]; then
    echo -n "run $run mailjuke MX: "
    # shellcheck disable=SC2046
    $py "$helper" measure "$mj_pid" "sqlite:$work/var/mailjuke.db" "$messages" "$work/results/mailjuke.jsonl" \
      -- $(source_cmd "$mj_mx")
    echo -n "run $run mailjuke submission: "
    $py "$helper" measure "$mj_pid" "sqlite:$work/var/mailjuke.db" "$submit_messages" "$work/results/submission.jsonl" \
      -- "$py" "$helper" submit "$mj_sub" "$work/setup.json" "$rcpt" "$submit_messages" "$size"
  fi
done

out=docs/benchmarks.md
[[ $peers == *postfix* && $peers == *mailjuke* ]] || out=-  # a partial run is printed only
params=$($py -c 'import json,sys; a=sys.argv[1:]; print(json.dumps(dict(date=a[0], cores=int(a[1]), runs=int(a[2]),
  messages=int(a[3]), size=int(a[4]), sessions=int(a[5]), submit_messages=int(a[6]), source_cmd=a[7], postfix_version=a[8])))' \
  "$(date -u +%Y-%m-%d)" "$(nproc)" "$runs" "$messages" "$size" "$sessions" "$submit_messages" \
  "$(source_cmd '127.0.0.1:PORT')" "$(postconf -d -h mail_version)")
$py "$helper" report "$out" "$params" "$work/results"
