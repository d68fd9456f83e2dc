#!/bin/sh
# Runs every program in examples/ (the C twins of the seeds' programs)
# against a real location and node and checks what each should do.  Those
# that run until Ctrl-C get SIGINT once their work is visible; a browser
# is a script that records the URL.  Exit 77 without root, runc or tf-node.
. "$(dirname "$0")/lib_sdk.sh"

sdk_setup node
sdk_debian_images
cd "$TFT"
cat > "$TFT/browser" <<EOB
#!/bin/sh
echo "\$1" >> "$TFT/urls"
EOB
chmod +x "$TFT/browser"
export BROWSER=$TFT/browser

ex() {	# NAME [ARGS]: runs to completion; output in $TFT/NAME.out/.err
	n=$1; shift
	rc=0
	timeout 300 "$EXBIN/$n" "$@" > "$TFT/$n.out" 2> "$TFT/$n.err" || rc=$?
	[ $rc = 0 ] || { not_ok "$n ran (exit $rc)"; tail -n 5 "$TFT/$n.err" | sed 's/^/#   /'; }
	return $rc
}

browser_ex() {	# NAME PATTERN: opens a browser; the page must match
	n=$1
	: > "$TFT/urls"
	run_bg "$n" "$EXBIN/$n"
	wait_for "$TFT/$n.err" "Connected onto" 60 || true
	sleep 0.3
	url=$(tail -n 1 "$TFT/urls")
	check "$n: the browser opens a page with '$2'" \
		sh -c "[ -n '$url' ] && curl -s -m 10 '$url' | grep -q '$2'"
	stop_bg "$n"
	check "$n: Ctrl-C ends it cleanly" sh -c "[ \$(cat '$TFT/$n.rc') = 0 ] && grep -q Disconnecting '$TFT/$n.err'"
}

port_ex() {	# NAME: serves nginx on a local port given as its argument
	n=$1
	lp=$(free_port)
	run_bg "$n" "$EXBIN/$n" "$lp"
	wait_for "$TFT/$n.err" "Created tunnel" 60 || true
	sleep 0.3
	check "$n: nginx on local port $lp" sh -c "curl -s -m 10 http://127.0.0.1:$lp/ | grep -q 'Welcome to nginx'"
	stop_bg "$n" TERM
	check "$n: SIGTERM ends it cleanly" sh -c "[ \$(cat '$TFT/$n.rc') = 0 ] && grep -q Disconnecting '$TFT/$n.err'"
}

# Seed 000: advanced spawning.
browser_ex preboot "Hello World!"
ex reboot && check "reboot: prints Some data twice, then the error" \
	sh -c "[ \$(grep -c '^Some data\$' '$TFT/reboot.out') = 2 ] && grep -q 'after the reset' '$TFT/reboot.out'"
ex spawn_sync 3 && check "spawn_sync: three containers answered 200 in turn" \
	sh -c "grep -q -- '-----Finished' '$TFT/spawn_sync.err'"
ex spawn_async 3 && check "spawn_async: three containers booted side by side" \
	sh -c "[ \$(grep -c 'Connected onto' '$TFT/spawn_async.err') = 3 ] && grep -q -- '-----Finished' '$TFT/spawn_async.err'"

# Seed 001: the SDK page.
browser_ex quickstart "Welcome to nginx"
"$CLI/tfcache" -q nginx >/dev/null
browser_ex last_image "Welcome to nginx"
browser_ex chained "Welcome to nginx"
browser_ex webserver "Welcome to nginx"
ex put_fetch && check "put_fetch: the new path and nginx.conf" \
	sh -c "head -n 1 '$TFT/put_fetch.out' | grep -qx 'Some data' && grep -q 'worker_processes' '$TFT/put_fetch.out'"
port_ex tunnel
ex process_sync && check "process_sync: ps lists nginx" grep -q "nginx: master" "$TFT/process_sync.out"
ex process_async && check "process_async: output, sleep's end, then vmstat's end" sh -c "
	grep -q -- '---sleep terminated---' '$TFT/process_async.out' &&
	tail -n 1 '$TFT/process_async.out' | grep -qx 'vmstat terminated' &&
	[ \$(grep -c '^[0-9.]* [0-9.]* [0-9.]* ' '$TFT/process_async.out') -ge 5 ]"
ex process_stdin && check "process_stdin: the reply is ps's output, without the echo" sh -c "
	grep -q 'nginx: master' '$TFT/process_stdin.out' && ! head -n 1 '$TFT/process_stdin.out' | grep -qx ps"
ex shell && check "shell: the shell ran ps" grep -q "nginx: master" "$TFT/shell.out"
ex multi_container && check "multi_container: blocked before allow, served after" sh -c "
	grep -qx 'Before -->' '$TFT/multi_container.out' && grep -qx 'After -->Hi!' '$TFT/multi_container.out'"

# Seed 002: additional processes.
ex procs_sync && check "procs_sync: /bin/ps lists nginx" grep -q "nginx: master" "$TFT/procs_sync.out"
ex procs_async && check "procs_async: both callbacks" sh -c "
	grep -q -- '---sleep terminated---' '$TFT/procs_async.out' && grep -q 'vmstat terminated' '$TFT/procs_async.out'"
ex procs_stdin && check "procs_stdin: /bin/ps through stdin" grep -q "/bin/ps" "$TFT/procs_stdin.out"
ex procs_shell && check "procs_shell: a shell in a sleeping container" sh -c "
	grep -q 'PID' '$TFT/procs_shell.out' && ! grep -q 'nginx' '$TFT/procs_shell.out'"

# Seed 003: production.
port_ex tf_server
run_bg svc "$EXBIN/tf_service" nginx
wait_for "$TFT/svc.err" "Allowed connection" 90 || true
check "tf_service: a dev volume, the db and the app, connected" sh -c "
	grep -q 'on the development environment' '$TFT/svc.err' && grep -q 'Allowed connection' '$TFT/svc.err'"
check "tf_service: it made one volume" sh -c "[ \$('$CLI/tfvolumes' list | wc -l) = 1 ]"
stop_bg svc
run_bg svc2 "$EXBIN/tf_service" nginx
wait_for "$TFT/svc2.err" "Allowed connection" 90 || true
check "tf_service: a second run reuses the volume" sh -c "
	[ \$('$CLI/tfvolumes' list | wc -l) = 1 ] && grep -q 'Allowed connection' '$TFT/svc2.err'"
stop_bg svc2
ex snapshot && check "snapshot: carrot, then the test again" sh -c "
	sed -n 1p '$TFT/snapshot.out' | grep -qx 'I am a carrot' && sed -n 2p '$TFT/snapshot.out' | grep -qx 'I am a test'"
ex reset_test && check "reset_test: passes" grep -qx "reset test passed" "$TFT/reset_test.out"

# Seed 004: client applications.
port_ex hello_run

finish
