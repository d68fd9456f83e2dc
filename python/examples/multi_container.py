# SDK: multi-container applications (the seed's program).
# Changed: the test command.  /native/usr/bin/wget (the original platform's, undocumented)
# is not in Debian's minbase image: bash's /dev/tcp makes the request, with timeout's 2 s
# in place of --timeout, and sed drops the response headers.
from tfnz.location import Location

node = Location(debug_log=False).best_node()
preboot = {'/usr/share/nginx/html/index.html': 'Hi!'}
server_container = node.spawn('nginx', pre_boot_files=preboot)
client_container = node.spawn('debian', sleep=True)
test_cmd = "timeout 2 bash -c 'exec 3<>/dev/tcp/" + \
            server_container.ip() + "/80; printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3' | sed '1,/^\\r$/d'"

reply = client_container.spawn_process(test_cmd).wait_until_complete()
print("Before -->" + reply.decode())

server_container.allow_connection_from(client_container)
reply = client_container.spawn_process(test_cmd).wait_until_complete()
print("After -->" + reply.decode())
